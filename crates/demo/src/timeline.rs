//! When things happen in the demo world: traffic seasonality in Korean time,
//! the Tokyo→Seoul migration, the jobs-api incident, the AxiosError burst,
//! and deploys (which replace ECS tasks, so task ids change over the week).

use crate::random::mix;
use crate::time::{DAY, HOUR, MINUTE, kst_hour, kst_midnight, kst_weekday};
use crate::world::{Env, SERVICE_COUNT};

/// Relative prod traffic by KST hour of day (linearly interpolated): people
/// check cards and jobs at work, a lunch bump, a quieter evening, dead night.
const HOURLY: [f64; 24] = [
    0.16, 0.10, 0.07, 0.05, 0.05, 0.06, 0.12, 0.30, 0.62, 0.92, 1.00, 0.98, //
    0.88, 0.96, 1.00, 0.97, 0.93, 0.86, 0.70, 0.52, 0.46, 0.45, 0.38, 0.26,
];

pub(crate) struct Timeline {
    pub(crate) start: i64,
    pub(crate) end: i64,
    /// Events before this ran in Tokyo (ap-northeast-1), after it in Seoul.
    pub(crate) migration: i64,
    /// Around the switch, latency is elevated while caches and pools warm up.
    pub(crate) cutover: (i64, i64),
    /// jobs-api prod: DB statement timeouts, 5xx, latency ×10.
    pub(crate) incident: (i64, i64),
    /// web-bff → ads-api `AxiosError: Network Error`.
    pub(crate) burst: (i64, i64),
    seed: u64,
    /// Deploy instants per service and stage, ascending.
    deploys: Vec<Vec<i64>>,
}

impl Timeline {
    pub(crate) fn new(seed: u64, start: i64, end: i64) -> Timeline {
        let migration = end - 4 * DAY;
        let incident_start = kst_midnight(end - 2 * DAY) + 14 * HOUR;
        let mut timeline = Timeline {
            start,
            end,
            migration,
            cutover: (migration - 10 * MINUTE, migration + 20 * MINUTE),
            incident: (incident_start, incident_start + 40 * MINUTE),
            burst: burst_window(end),
            seed,
            deploys: Vec::new(),
        };
        timeline.deploys = (0..SERVICE_COUNT * 3)
            .map(|k| timeline.deploy_schedule(k / 3, Env::ALL[k % 3]))
            .collect();
        timeline
    }

    pub(crate) fn migrated(&self, t: i64) -> bool {
        t >= self.migration
    }

    pub(crate) fn region(&self, t: i64) -> &'static str {
        if self.migrated(t) {
            "ap-northeast-2"
        } else {
            "ap-northeast-1"
        }
    }

    pub(crate) fn in_incident(&self, t: i64) -> bool {
        (self.incident.0..self.incident.1).contains(&t)
    }

    pub(crate) fn in_burst(&self, t: i64) -> bool {
        (self.burst.0..self.burst.1).contains(&t)
    }

    pub(crate) fn in_cutover(&self, t: i64) -> bool {
        (self.cutover.0..self.cutover.1).contains(&t)
    }

    /// Prod traffic relative to a weekday's peak.
    pub(crate) fn load(&self, t: i64) -> f64 {
        let h = kst_hour(t);
        let i = h as usize % 24;
        let frac = h - h.floor();
        let by_hour = HOURLY[i] * (1.0 - frac) + HOURLY[(i + 1) % 24] * frac;
        let by_day = match kst_weekday(t) {
            5 => 0.42,
            6 => 0.48,
            _ => 1.0,
        };
        // Each day a little different, so the week is not a copy of one day.
        let day = (t + crate::time::KST_OFFSET).div_euclid(DAY) as u64;
        let wobble = 0.93 + (mix(self.seed ^ mix(day)) % 1000) as f64 / 1000.0 * 0.14;
        by_hour * by_day * wobble
    }

    /// QA traffic in dev and stg: people testing during office hours.
    pub(crate) fn qa_load(&self, t: i64) -> f64 {
        let h = kst_hour(t);
        if kst_weekday(t) >= 5 || !(9.5..19.5).contains(&h) {
            0.02
        } else if (12.0..13.0).contains(&h) {
            0.3
        } else {
            1.0
        }
    }

    /// How many times the tasks of a service were replaced by `t`: each
    /// deploy, and the migration (new clusters in Seoul).
    pub(crate) fn generation(&self, service: usize, env: Env, t: i64) -> u64 {
        let deploys = &self.deploys[service * 3 + env.index()];
        (deploys.partition_point(|&d| d <= t) + usize::from(self.migrated(t))) as u64
    }

    /// When the current tasks started (for memory that grows with uptime).
    pub(crate) fn task_started(&self, service: usize, env: Env, t: i64) -> i64 {
        let deploys = &self.deploys[service * 3 + env.index()];
        let last = deploys[..deploys.partition_point(|&d| d <= t)]
            .last()
            .copied();
        let migration = (t >= self.migration).then_some(self.migration);
        let first = self.start - (mix(self.seed ^ service as u64) % (2 * DAY) as u64) as i64;
        last.max(migration).unwrap_or(first)
    }

    /// The ECS task id of a task slot at time `t`.
    pub(crate) fn task_id(&self, service: usize, env: Env, slot: usize, t: i64) -> u128 {
        let generation = self.generation(service, env, t);
        let key =
            mix(self.seed
                ^ mix(((service as u64) << 16) | ((env.index() as u64) << 8) | slot as u64))
                ^ mix(generation.wrapping_add(0x5eed));
        u128::from(mix(key)) << 64 | u128::from(mix(key ^ 0xa5a5_a5a5))
    }

    /// Weekday daytime deploys: prod Monday to Thursday (no Friday deploys),
    /// stg and dev more often.
    fn deploy_schedule(&self, service: usize, env: Env) -> Vec<i64> {
        let mut out = Vec::new();
        let mut day = kst_midnight(self.start - DAY);
        while day < self.end {
            let weekday = kst_weekday(day);
            let h = mix(self.seed
                ^ mix(day as u64 ^ ((service as u64) << 40) ^ ((env.index() as u64) << 48)));
            let chance = match env {
                Env::Prod if weekday <= 3 => 45,
                Env::Stg if weekday <= 4 => 70,
                Env::Dev if weekday <= 4 => 95,
                _ => 0,
            };
            if h % 100 < chance {
                let minute = 10 * 60 + ((h >> 8) % (7 * 60)) as i64;
                let at = day + minute * MINUTE;
                // A deploy never coincides with the cut-over itself.
                if (at - self.migration).abs() > HOUR {
                    out.push(at);
                }
            }
            day += DAY;
        }
        out
    }
}

/// The AxiosError burst: 25 minutes in office hours within the last day,
/// the latest such slot that ends well before `end`.
fn burst_window(end: i64) -> (i64, i64) {
    let mut day = kst_midnight(end);
    loop {
        for hour in (10..=18).rev() {
            let start = day + hour * HOUR + 30 * MINUTE;
            if start + 40 * MINUTE <= end {
                debug_assert!(start >= end - DAY);
                return (start, start + 25 * MINUTE);
            }
        }
        day -= DAY;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SECOND;

    // 2026-11-24T05:13:02Z = 14:13 KST, Tuesday.
    const END: i64 = 1_795_497_182 * SECOND;

    #[test]
    fn events_sit_where_the_story_puts_them() {
        let t = Timeline::new(1, END - 7 * DAY, END);
        assert_eq!(t.migration, END - 4 * DAY);
        assert_eq!(t.region(t.migration - 1), "ap-northeast-1");
        assert_eq!(t.region(t.migration), "ap-northeast-2");
        assert!((kst_hour(t.incident.0) - 14.0).abs() < 1e-9);
        assert_eq!(kst_midnight(t.incident.0), kst_midnight(END - 2 * DAY));
        assert_eq!(t.incident.1 - t.incident.0, 40 * MINUTE);
        assert!(t.burst.0 >= END - DAY && t.burst.1 < END);
        for end in (0..48).map(|h| END + h * HOUR + 7 * MINUTE) {
            let (a, b) = burst_window(end);
            assert!(a >= end - DAY && b < end, "burst outside the last day");
            let h = kst_hour(a);
            assert!((10.0..19.0).contains(&h));
        }
    }

    #[test]
    fn weekday_office_hours_are_busiest() {
        let t = Timeline::new(1, END - 7 * DAY, END);
        let day = kst_midnight(END); // a Tuesday
        let at = |h: i64| t.load(day + h * HOUR);
        assert!(at(11) > 5.0 * at(3));
        assert!(at(14) > at(21));
        let saturday = day + 4 * DAY;
        assert!(t.load(saturday + 11 * HOUR) < 0.6 * at(11));
    }

    #[test]
    fn tasks_change_on_deploys_and_migration() {
        let t = Timeline::new(3, END - 7 * DAY, END);
        let before = t.task_id(0, Env::Prod, 0, t.migration - 1);
        let after = t.task_id(0, Env::Prod, 0, t.migration);
        assert_ne!(before, after);
        assert_ne!(
            t.task_id(0, Env::Prod, 0, END - 1),
            t.task_id(0, Env::Prod, 1, END - 1)
        );
        assert_eq!(
            t.task_id(5, Env::Dev, 0, END - 1),
            t.task_id(5, Env::Dev, 0, END - 1)
        );
        assert!(t.task_started(0, Env::Prod, END - 1) >= t.migration);
    }
}
