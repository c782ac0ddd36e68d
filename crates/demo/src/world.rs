//! The demo company's services, their stages (prod, stg, dev), how many ECS
//! tasks each runs, and the AWS accounts they live in.

/// One service of the demo world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    pub name: &'static str,
    /// The talk's business domain (`cards`, `jobs`, ...; `platform` for shared).
    pub domain: &'static str,
    /// `kotlin`, `java`, `nodejs` or `python`.
    pub language: &'static str,
    /// `api`, `worker` or `web`.
    pub kind: &'static str,
    pub team: &'static str,
}

const fn svc(
    name: &'static str,
    domain: &'static str,
    language: &'static str,
    kind: &'static str,
    team: &'static str,
) -> ServiceInfo {
    ServiceInfo {
        name,
        domain,
        language,
        kind,
        team,
    }
}

// Indexes into SERVICES, used by the topology tables below.
pub(crate) const WEB_BFF: usize = 0;
pub(crate) const AUTH_API: usize = 1;
pub(crate) const CARDS_API: usize = 2;
pub(crate) const CARDS_OCR_WORKER: usize = 3;
pub(crate) const JOBS_API: usize = 4;
pub(crate) const JOBS_SEARCH: usize = 5;
pub(crate) const JOBS_RECOMMENDER: usize = 6;
pub(crate) const COMMUNITY_API: usize = 7;
pub(crate) const COMMUNITY_FEED_WORKER: usize = 8;
pub(crate) const ADS_API: usize = 9;
pub(crate) const ADS_BIDDER: usize = 10;
pub(crate) const RESEARCH_API: usize = 11;
pub(crate) const GIFTS_API: usize = 12;
pub(crate) const GIFTS_PAYMENT: usize = 13;

static SERVICES: [ServiceInfo; 14] = [
    svc("web-bff", "platform", "nodejs", "web", "frontend"),
    svc("auth-api", "platform", "kotlin", "api", "platform"),
    svc("cards-api", "cards", "kotlin", "api", "cards"),
    svc("cards-ocr-worker", "cards", "python", "worker", "cards"),
    svc("jobs-api", "jobs", "kotlin", "api", "jobs-core"),
    svc("jobs-search", "jobs", "java", "api", "jobs-search"),
    svc("jobs-recommender", "jobs", "python", "worker", "ai-ml"),
    svc("community-api", "community", "kotlin", "api", "community"),
    svc(
        "community-feed-worker",
        "community",
        "kotlin",
        "worker",
        "community",
    ),
    svc("ads-api", "ads", "nodejs", "api", "ads"),
    svc("ads-bidder", "ads", "java", "api", "ads"),
    svc("research-api", "research", "python", "api", "research"),
    svc("gifts-api", "gifts", "kotlin", "api", "commerce"),
    svc("gifts-payment", "gifts", "kotlin", "api", "commerce"),
];

/// Every service of the demo world.
pub fn services() -> &'static [ServiceInfo] {
    &SERVICES
}

pub(crate) fn info(service: usize) -> &'static ServiceInfo {
    &SERVICES[service]
}

pub(crate) const SERVICE_COUNT: usize = SERVICES.len();

/// ECS tasks per service in prod; the busiest services run more.
const PROD_TASKS: [usize; SERVICE_COUNT] = [3, 2, 2, 2, 4, 2, 2, 2, 2, 3, 2, 2, 2, 2];
pub(crate) const MAX_TASKS: usize = 4;

/// Base share of requests that fail with one of the service's recurring
/// exceptions (0.1–1 %, the talk's "realistic low base rate").
pub(crate) const ERROR_RATE: [f64; SERVICE_COUNT] = [
    0.002, 0.001, 0.002, 0.008, 0.002, 0.003, 0.006, 0.002, 0.004, 0.003, 0.004, 0.003, 0.002,
    0.005,
];

/// Deployment stage. Most traffic is prod; QA in dev/stg is a small share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Env {
    Prod,
    Stg,
    Dev,
}

impl Env {
    pub(crate) const ALL: [Env; 3] = [Env::Prod, Env::Stg, Env::Dev];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Env::Prod => "prod",
            Env::Stg => "stg",
            Env::Dev => "dev",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Tasks of a service in a stage. Workers run only in prod: dev and stg
/// queues are not consumed continuously (and metrics rows stay bounded).
pub(crate) fn task_count(service: usize, env: Env) -> usize {
    match env {
        Env::Prod => PROD_TASKS[service],
        _ if SERVICES[service].kind == "worker" => 0,
        _ => 1,
    }
}

/// The AWS account a service runs in. Before the Tokyo→Seoul migration
/// everything ran in one legacy account (the talk's "실전 압축된 AWS 계정");
/// the move to Seoul came with one account per domain and stage.
pub(crate) fn account_id(service: usize, env: Env, migrated: bool) -> u64 {
    if !migrated {
        return 274_618_930_512;
    }
    let domain = match SERVICES[service].domain {
        "platform" => 0,
        "cards" => 1,
        "jobs" => 2,
        "community" => 3,
        "ads" => 4,
        "research" => 5,
        _ => 6,
    };
    // Fixed, seed-independent: the company's accounts do not change per run.
    381_000_000_000 + domain * 10_000_000 + env.index() as u64 * 1_000_000 + 492_017
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_split_at_the_migration() {
        let legacy: Vec<u64> = (0..SERVICE_COUNT)
            .map(|s| account_id(s, Env::Prod, false))
            .collect();
        assert!(legacy.iter().all(|&a| a == legacy[0]));
        let mut after: Vec<u64> = (0..SERVICE_COUNT)
            .flat_map(|s| Env::ALL.map(|e| account_id(s, e, true)))
            .collect();
        assert!(
            after
                .iter()
                .all(|&a| (100_000_000_000..1_000_000_000_000).contains(&a))
        );
        after.sort_unstable();
        after.dedup();
        assert_eq!(after.len(), 7 * 3, "one account per domain and stage");
        assert_eq!(task_count(CARDS_OCR_WORKER, Env::Dev), 0);
        assert!((2..=MAX_TASKS).contains(&task_count(JOBS_API, Env::Prod)));
    }
}
