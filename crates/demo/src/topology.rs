//! The topology of the demo company's requests: which routes each service
//! serves, and which services, databases, caches, queues and external hosts
//! each route's handler calls, in order.

use crate::world::{
    ADS_API, ADS_BIDDER, AUTH_API, CARDS_API, CARDS_OCR_WORKER, COMMUNITY_API,
    COMMUNITY_FEED_WORKER, GIFTS_API, GIFTS_PAYMENT, JOBS_API, JOBS_RECOMMENDER, JOBS_SEARCH,
    RESEARCH_API, SERVICE_COUNT,
};

/// A database, cache or search cluster a service talks to.
pub(crate) struct Store {
    /// `db.system`: postgresql, mysql, redis or elasticsearch.
    pub(crate) system: &'static str,
    /// `db.namespace`.
    pub(crate) namespace: &'static str,
    /// Median latency of one operation, ms.
    pub(crate) median_ms: f64,
}

const fn store(system: &'static str, namespace: &'static str, median_ms: f64) -> Store {
    Store {
        system,
        namespace,
        median_ms,
    }
}

static JOBS_PG: Store = store("postgresql", "jobs", 3.5);
static AUTH_PG: Store = store("postgresql", "auth", 2.0);
static RESEARCH_PG: Store = store("postgresql", "research", 3.0);
static CARDS_DB: Store = store("mysql", "cards", 2.5);
static COMMUNITY_DB: Store = store("mysql", "community", 3.0);
static GIFTS_DB: Store = store("mysql", "gifts", 2.5);
static PAYMENTS_DB: Store = store("mysql", "payments", 3.0);
static SESSION_REDIS: Store = store("redis", "session", 0.4);
static JOBS_REDIS: Store = store("redis", "jobs-cache", 0.4);
static CARDS_REDIS: Store = store("redis", "cards-cache", 0.4);
static FEED_REDIS: Store = store("redis", "feed", 0.5);
static ADS_REDIS: Store = store("redis", "ads", 0.3);
static RECO_REDIS: Store = store("redis", "reco", 0.5);
static GIFTS_REDIS: Store = store("redis", "gifts-cache", 0.4);
static JOBS_ES: Store = store("elasticsearch", "jobs-v3", 18.0);

/// One thing a handler does, in order.
pub(crate) enum Step {
    /// A query on a store; `target` is the table, index or key pattern.
    Db {
        store: &'static Store,
        op: &'static str,
        target: &'static str,
        statement: &'static str,
        p: f64,
    },
    /// A cache lookup (redis GET); on a hit the next step is skipped.
    Cache {
        store: &'static Store,
        key: &'static str,
        hit: f64,
    },
    /// An HTTP call to another service's route; `parallel` starts it
    /// together with the previous step (the BFF fans out).
    Call {
        service: usize,
        route: usize,
        p: f64,
        parallel: bool,
    },
    /// An HTTP call to a host outside the company (S3, the payment gateway).
    External {
        host: External,
        method: &'static str,
        path: &'static str,
        median_ms: f64,
    },
    /// An SQS message to a worker, consumed in the same trace.
    Publish {
        queue: &'static str,
        worker: usize,
        p: f64,
    },
}

/// External hosts; S3's name follows the region the caller runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum External {
    S3,
    TossPayments,
}

/// A route a service serves: an HTTP endpoint, a queue it consumes (method
/// empty) or a scheduled job (method `JOB`).
pub(crate) struct Route {
    pub(crate) method: &'static str,
    pub(crate) template: &'static str,
    /// Median time spent in the handler itself, ms.
    pub(crate) self_ms: f64,
    pub(crate) steps: &'static [Step],
}

const fn route(
    method: &'static str,
    template: &'static str,
    self_ms: f64,
    steps: &'static [Step],
) -> Route {
    Route {
        method,
        template,
        self_ms,
        steps,
    }
}

const fn sql(
    store: &'static Store,
    op: &'static str,
    target: &'static str,
    statement: &'static str,
) -> Step {
    Step::Db {
        store,
        op,
        target,
        statement,
        p: 1.0,
    }
}

const fn maybe_sql(
    p: f64,
    store: &'static Store,
    op: &'static str,
    target: &'static str,
    statement: &'static str,
) -> Step {
    Step::Db {
        store,
        op,
        target,
        statement,
        p,
    }
}

const fn cache(store: &'static Store, key: &'static str, hit: f64) -> Step {
    Step::Cache { store, key, hit }
}

const fn call(service: usize, route: usize) -> Step {
    Step::Call {
        service,
        route,
        p: 1.0,
        parallel: false,
    }
}

const fn fan_out(service: usize, route: usize, p: f64) -> Step {
    Step::Call {
        service,
        route,
        p,
        parallel: true,
    }
}

const fn s3(method: &'static str, median_ms: f64) -> Step {
    Step::External {
        host: External::S3,
        method,
        path: "/remember-card-scans",
        median_ms,
    }
}

const fn publish(queue: &'static str, worker: usize) -> Step {
    Step::Publish {
        queue,
        worker,
        p: 1.0,
    }
}

/// The BFF checks the session in redis; on a miss it asks auth-api.
const SESSION: Step = cache(&SESSION_REDIS, "session", 0.8);
const WHO_AM_I: Step = call(AUTH_API, 0);

/// Share of user traffic per web-bff route (same order as its routes).
pub(crate) static BFF_WEIGHTS: [f64; 14] = [
    22.0, 12.0, 7.0, 2.0, 14.0, 10.0, 1.5, 9.0, 2.0, 3.0, 1.5, 4.0, 1.2, 6.0,
];

/// The routes of a service (by index in `world::services()`).
pub(crate) fn routes(service: usize) -> &'static [Route] {
    ROUTES[service]
}

#[rustfmt::skip]
static ROUTES: [&[Route]; SERVICE_COUNT] = [
    // web-bff: the app's and the website's single entry point.
    &[
        route("GET", "/api/home", 4.0, &[SESSION, WHO_AM_I, call(COMMUNITY_API, 0), fan_out(ADS_API, 0, 1.0)]),
        route("GET", "/api/cards", 2.5, &[SESSION, WHO_AM_I, call(CARDS_API, 0)]),
        route("GET", "/api/cards/{id}", 2.0, &[SESSION, WHO_AM_I, call(CARDS_API, 1)]),
        route("POST", "/api/cards/scans", 3.0, &[SESSION, WHO_AM_I, call(CARDS_API, 2)]),
        route("GET", "/api/jobs", 3.0, &[SESSION, WHO_AM_I, call(JOBS_API, 0), fan_out(ADS_API, 0, 0.5)]),
        route("GET", "/api/jobs/{id}", 2.0, &[SESSION, WHO_AM_I, call(JOBS_API, 1)]),
        route("POST", "/api/jobs/{id}/applications", 2.5, &[SESSION, WHO_AM_I, call(JOBS_API, 2)]),
        route("GET", "/api/community/posts", 2.5, &[SESSION, WHO_AM_I, call(COMMUNITY_API, 1)]),
        route("POST", "/api/community/posts/{id}/comments", 2.5, &[SESSION, WHO_AM_I, call(COMMUNITY_API, 2)]),
        route("GET", "/api/research/surveys", 2.0, &[SESSION, WHO_AM_I, call(RESEARCH_API, 0)]),
        route("POST", "/api/research/surveys/{id}/answers", 2.5, &[SESSION, WHO_AM_I, call(RESEARCH_API, 1)]),
        route("GET", "/api/gifts/products", 2.0, &[SESSION, WHO_AM_I, call(GIFTS_API, 0)]),
        route("POST", "/api/gifts/orders", 3.0, &[SESSION, WHO_AM_I, call(GIFTS_API, 1)]),
        route("GET", "/api/me", 1.5, &[WHO_AM_I]),
    ],
    // auth-api
    &[
        route("GET", "/v1/me", 1.5, &[
            sql(&AUTH_PG, "SELECT", "users", "SELECT id, name, email, company_id FROM users WHERE id = $1"),
        ]),
        route("JOB", "cleanup-expired-tokens", 800.0, &[
            sql(&AUTH_PG, "DELETE", "refresh_tokens", "DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'"),
        ]),
    ],
    // cards-api
    &[
        route("GET", "/v1/cards", 3.0, &[
            sql(&CARDS_DB, "SELECT", "business_cards", "SELECT id, name, company, title, phone FROM business_cards WHERE owner_id = ? ORDER BY updated_at DESC LIMIT ?"),
            sql(&CARDS_DB, "SELECT", "business_cards", "SELECT COUNT(*) FROM business_cards WHERE owner_id = ?"),
        ]),
        route("GET", "/v1/cards/{id}", 2.0, &[
            cache(&CARDS_REDIS, "card", 0.6),
            sql(&CARDS_DB, "SELECT", "business_cards", "SELECT * FROM business_cards WHERE id = ? AND owner_id = ?"),
        ]),
        route("POST", "/v1/cards/scans", 4.0, &[
            s3("PUT", 35.0),
            sql(&CARDS_DB, "INSERT", "card_scans", "INSERT INTO card_scans (owner_id, s3_key, status) VALUES (?, ?, 'QUEUED')"),
            publish("card-scan-requests", CARDS_OCR_WORKER),
        ]),
    ],
    // cards-ocr-worker
    &[
        route("", "card-scan-requests", 650.0, &[
            s3("GET", 25.0),
            sql(&CARDS_DB, "UPDATE", "card_scans", "UPDATE card_scans SET status = 'DONE', fields = ? WHERE id = ?"),
        ]),
    ],
    // jobs-api
    &[
        route("GET", "/v1/jobs", 4.0, &[
            cache(&JOBS_REDIS, "job-list", 0.3),
            call(JOBS_SEARCH, 0),
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT id, title, company_id, location, salary_min FROM job_postings WHERE id = ANY($1) AND status = 'OPEN'"),
        ]),
        route("GET", "/v1/jobs/{id}", 2.5, &[
            cache(&JOBS_REDIS, "job", 0.55),
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT * FROM job_postings WHERE id = $1"),
            maybe_sql(0.6, &JOBS_PG, "SELECT", "companies", "SELECT id, name, logo_url, employees FROM companies WHERE id = $1"),
        ]),
        route("POST", "/v1/jobs/{id}/applications", 5.0, &[
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT id, status FROM job_postings WHERE id = $1 FOR SHARE"),
            sql(&JOBS_PG, "INSERT", "applications", "INSERT INTO applications (job_id, user_id, resume_id) VALUES ($1, $2, $3) RETURNING id"),
            publish("job-application-events", JOBS_RECOMMENDER),
        ]),
    ],
    // jobs-search
    &[
        route("GET", "/v1/search", 3.0, &[
            sql(&JOBS_ES, "search", "jobs-v3", "{\"query\":{\"bool\":{\"must\":[{\"match\":{\"title\":\"?\"}}],\"filter\":[{\"term\":{\"status\":\"OPEN\"}}]}},\"size\":20}"),
        ]),
    ],
    // jobs-recommender
    &[
        route("", "job-application-events", 40.0, &[
            sql(&RECO_REDIS, "HGETALL", "reco", "HGETALL reco:?"),
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT id, category, skills FROM job_postings WHERE company_id = $1 AND status = 'OPEN' LIMIT 200"),
            sql(&RECO_REDIS, "HSET", "reco", "HSET reco:? ? ?"),
        ]),
        route("JOB", "recompute-recommendations", 45_000.0, &[
            sql(&JOBS_PG, "SELECT", "applications", "SELECT user_id, job_id FROM applications WHERE created_at > now() - interval '1 hour'"),
            sql(&RECO_REDIS, "EVALSHA", "reco", "EVALSHA ? 1 reco:batch"),
        ]),
    ],
    // community-api
    &[
        route("GET", "/v1/feed", 3.0, &[
            cache(&FEED_REDIS, "feed", 0.8),
            sql(&COMMUNITY_DB, "SELECT", "posts", "SELECT p.id, p.title, p.author_id, p.like_count FROM posts p JOIN follows f ON f.followee_id = p.author_id WHERE f.follower_id = ? ORDER BY p.created_at DESC LIMIT 30"),
        ]),
        route("GET", "/v1/posts", 3.0, &[
            sql(&COMMUNITY_DB, "SELECT", "posts", "SELECT id, title, author_id, like_count, created_at FROM posts WHERE board_id = ? ORDER BY created_at DESC LIMIT 20"),
            sql(&COMMUNITY_DB, "SELECT", "comments", "SELECT post_id, COUNT(*) FROM comments WHERE post_id IN (?) GROUP BY post_id"),
        ]),
        route("POST", "/v1/posts/{id}/comments", 4.0, &[
            sql(&COMMUNITY_DB, "INSERT", "comments", "INSERT INTO comments (post_id, author_id, body) VALUES (?, ?, ?)"),
            publish("community-feed-events", COMMUNITY_FEED_WORKER),
        ]),
    ],
    // community-feed-worker
    &[
        route("", "community-feed-events", 12.0, &[
            sql(&COMMUNITY_DB, "SELECT", "follows", "SELECT follower_id FROM follows WHERE followee_id = ?"),
            sql(&FEED_REDIS, "ZADD", "feed", "ZADD feed:? ? ?"),
        ]),
        route("JOB", "rebuild-trending-posts", 2_500.0, &[
            sql(&COMMUNITY_DB, "SELECT", "posts", "SELECT id, like_count, comment_count FROM posts WHERE created_at > now() - INTERVAL 1 DAY ORDER BY like_count DESC LIMIT 100"),
            sql(&FEED_REDIS, "SET", "trending", "SET trending:posts ?"),
        ]),
    ],
    // ads-api
    &[
        route("GET", "/v1/ads/slots", 2.0, &[cache(&ADS_REDIS, "ad-slot", 0.4), call(ADS_BIDDER, 0)]),
    ],
    // ads-bidder
    &[
        route("POST", "/v1/bid", 6.0, &[sql(&ADS_REDIS, "MGET", "budget", "MGET budget:? budget:?")]),
    ],
    // research-api
    &[
        route("GET", "/v1/surveys", 6.0, &[
            sql(&RESEARCH_PG, "SELECT", "surveys", "SELECT id, title, reward_points, closes_at FROM surveys WHERE status = 'OPEN' AND $1 = ANY(target_jobs)"),
        ]),
        route("POST", "/v1/surveys/{id}/answers", 8.0, &[
            sql(&RESEARCH_PG, "INSERT", "answers", "INSERT INTO answers (survey_id, user_id, payload) VALUES ($1, $2, $3)"),
            sql(&RESEARCH_PG, "UPDATE", "surveys", "UPDATE surveys SET answer_count = answer_count + 1 WHERE id = $1"),
        ]),
    ],
    // gifts-api
    &[
        route("GET", "/v1/products", 3.0, &[
            cache(&GIFTS_REDIS, "products", 0.7),
            sql(&GIFTS_DB, "SELECT", "products", "SELECT id, name, brand, price, stock FROM products WHERE category_id = ? AND visible = 1"),
        ]),
        route("POST", "/v1/orders", 5.0, &[
            sql(&GIFTS_DB, "SELECT", "products", "SELECT id, price, stock FROM products WHERE id = ? FOR UPDATE"),
            sql(&GIFTS_DB, "INSERT", "orders", "INSERT INTO orders (buyer_id, receiver_phone, product_id, amount) VALUES (?, ?, ?, ?)"),
            call(GIFTS_PAYMENT, 0),
        ]),
        route("JOB", "settle-daily-orders", 20_000.0, &[
            sql(&GIFTS_DB, "SELECT", "orders", "SELECT id, amount FROM orders WHERE status = 'PAID' AND paid_at < CURDATE()"),
            sql(&GIFTS_DB, "UPDATE", "orders", "UPDATE orders SET status = 'SETTLED' WHERE id IN (?)"),
        ]),
    ],
    // gifts-payment
    &[
        route("POST", "/v1/payments", 4.0, &[
            sql(&PAYMENTS_DB, "INSERT", "payments", "INSERT INTO payments (order_id, amount, status) VALUES (?, ?, 'READY')"),
            Step::External { host: External::TossPayments, method: "POST", path: "/v1/payments/confirm", median_ms: 180.0 },
            sql(&PAYMENTS_DB, "UPDATE", "payments", "UPDATE payments SET status = 'DONE', pg_tid = ? WHERE order_id = ?"),
        ]),
    ],
];

/// Scheduled jobs: service, route index, period and offset in minutes of
/// UTC time (gifts settle at 18:10 UTC, 03:10 KST).
pub(crate) static JOBS: [(usize, usize, i64, i64); 4] = [
    (AUTH_API, 1, 60, 17),
    (JOBS_RECOMMENDER, 1, 60, 5),
    (COMMUNITY_FEED_WORKER, 1, 10, 3),
    (GIFTS_API, 2, 24 * 60, 18 * 60 + 10),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{WEB_BFF, info};

    #[test]
    fn topology_is_consistent() {
        for (s, routes) in ROUTES.iter().enumerate() {
            assert!(!routes.is_empty(), "{} has no route", info(s).name);
            // Workers consume their queue first; others serve HTTP first.
            let first = &routes[0];
            assert_eq!(first.method.is_empty(), info(s).kind == "worker");
            for route in routes.iter() {
                for step in route.steps {
                    match step {
                        Step::Call { service, route, .. } => {
                            assert!(*route < ROUTES[*service].len());
                            assert!(!matches!(ROUTES[*service][*route].method, "" | "JOB"));
                        }
                        Step::Publish { worker, .. } => {
                            assert_eq!(info(*worker).kind, "worker");
                        }
                        _ => {}
                    }
                }
            }
        }
        assert_eq!(BFF_WEIGHTS.len(), ROUTES[WEB_BFF].len());
        for (s, r, _, _) in JOBS {
            assert_eq!(ROUTES[s][r].method, "JOB");
        }
    }
}
