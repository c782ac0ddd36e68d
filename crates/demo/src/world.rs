//! The demo company's services, stages, ECS tasks and AWS accounts, and the
//! topology of its requests: which routes call which services, databases,
//! queues and external hosts.

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
    svc("community-feed-worker", "community", "kotlin", "worker", "community"),
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
const PROD_TASKS: [usize; SERVICE_COUNT] = [4, 3, 3, 2, 4, 3, 2, 3, 2, 3, 2, 2, 2, 2];
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

pub(crate) static JOBS_PG: Store = store("postgresql", "jobs", 3.5);
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

const fn http(method: &'static str, template: &'static str, self_ms: f64, steps: &'static [Step]) -> Route {
    Route {
        method,
        template,
        self_ms,
        steps,
    }
}

const fn sql(store: &'static Store, op: &'static str, target: &'static str, statement: &'static str) -> Step {
    Step::Db {
        store,
        op,
        target,
        statement,
        p: 1.0,
    }
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

const SESSION: Step = Step::Cache {
    store: &SESSION_REDIS,
    key: "session",
    hit: 0.8,
};
const WHO_AM_I: Step = call(AUTH_API, 0);

/// Entry routes of web-bff with their share of traffic.
pub(crate) static BFF_WEIGHTS: [f64; 14] = [
    22.0, 12.0, 7.0, 2.0, 14.0, 10.0, 1.5, 9.0, 2.0, 3.0, 1.5, 4.0, 1.2, 6.0,
];

pub(crate) fn routes(service: usize) -> &'static [Route] {
    ROUTES[service]
}

static ROUTES: [&[Route]; SERVICE_COUNT] = [
    // web-bff: the app's and the website's single entry point.
    &[
        http("GET", "/api/home", 4.0, &[SESSION, WHO_AM_I, call(COMMUNITY_API, 0), fan_out(ADS_API, 0, 1.0)]),
        http("GET", "/api/cards", 2.5, &[SESSION, WHO_AM_I, call(CARDS_API, 0)]),
        http("GET", "/api/cards/{id}", 2.0, &[SESSION, WHO_AM_I, call(CARDS_API, 1)]),
        http("POST", "/api/cards/scans", 3.0, &[SESSION, WHO_AM_I, call(CARDS_API, 2)]),
        http("GET", "/api/jobs", 3.0, &[SESSION, WHO_AM_I, call(JOBS_API, 0), fan_out(ADS_API, 0, 0.5)]),
        http("GET", "/api/jobs/{id}", 2.0, &[SESSION, WHO_AM_I, call(JOBS_API, 1)]),
        http("POST", "/api/jobs/{id}/applications", 2.5, &[SESSION, WHO_AM_I, call(JOBS_API, 2)]),
        http("GET", "/api/community/posts", 2.5, &[SESSION, WHO_AM_I, call(COMMUNITY_API, 1)]),
        http("POST", "/api/community/posts/{id}/comments", 2.5, &[SESSION, WHO_AM_I, call(COMMUNITY_API, 2)]),
        http("GET", "/api/research/surveys", 2.0, &[SESSION, WHO_AM_I, call(RESEARCH_API, 0)]),
        http("POST", "/api/research/surveys/{id}/answers", 2.5, &[SESSION, WHO_AM_I, call(RESEARCH_API, 1)]),
        http("GET", "/api/gifts/products", 2.0, &[SESSION, WHO_AM_I, call(GIFTS_API, 0)]),
        http("POST", "/api/gifts/orders", 3.0, &[SESSION, WHO_AM_I, call(GIFTS_API, 1)]),
        http("GET", "/api/me", 1.5, &[WHO_AM_I]),
    ],
    // auth-api
    &[
        http("GET", "/v1/me", 1.5, &[sql(&AUTH_PG, "SELECT", "users", "SELECT id, name, email, company_id FROM users WHERE id = $1")]),
        Route { method: "JOB", template: "cleanup-expired-tokens", self_ms: 800.0, steps: &[
            sql(&AUTH_PG, "DELETE", "refresh_tokens", "DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'"),
        ] },
    ],
    // cards-api
    &[
        http("GET", "/v1/cards", 3.0, &[
            sql(&CARDS_DB, "SELECT", "business_cards", "SELECT id, name, company, title, phone FROM business_cards WHERE owner_id = ? ORDER BY updated_at DESC LIMIT ?"),
            sql(&CARDS_DB, "SELECT", "business_cards", "SELECT COUNT(*) FROM business_cards WHERE owner_id = ?"),
        ]),
        http("GET", "/v1/cards/{id}", 2.0, &[
            Step::Cache { store: &CARDS_REDIS, key: "card", hit: 0.6 },
            sql(&CARDS_DB, "SELECT", "business_cards", "SELECT * FROM business_cards WHERE id = ? AND owner_id = ?"),
        ]),
        http("POST", "/v1/cards/scans", 4.0, &[
            Step::External { host: External::S3, method: "PUT", path: "/remember-card-scans", median_ms: 35.0 },
            sql(&CARDS_DB, "INSERT", "card_scans", "INSERT INTO card_scans (owner_id, s3_key, status) VALUES (?, ?, 'QUEUED')"),
            Step::Publish { queue: "card-scan-requests", worker: CARDS_OCR_WORKER, p: 1.0 },
        ]),
    ],
    // cards-ocr-worker
    &[Route { method: "", template: "card-scan-requests", self_ms: 650.0, steps: &[
        Step::External { host: External::S3, method: "GET", path: "/remember-card-scans", median_ms: 25.0 },
        sql(&CARDS_DB, "UPDATE", "card_scans", "UPDATE card_scans SET status = 'DONE', fields = ? WHERE id = ?"),
    ] }],
    // jobs-api
    &[
        http("GET", "/v1/jobs", 4.0, &[
            Step::Cache { store: &JOBS_REDIS, key: "job-list", hit: 0.3 },
            call(JOBS_SEARCH, 0),
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT id, title, company_id, location, salary_min FROM job_postings WHERE id = ANY($1) AND status = 'OPEN'"),
        ]),
        http("GET", "/v1/jobs/{id}", 2.5, &[
            Step::Cache { store: &JOBS_REDIS, key: "job", hit: 0.55 },
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT * FROM job_postings WHERE id = $1"),
            Step::Db { store: &JOBS_PG, op: "SELECT", target: "companies", statement: "SELECT id, name, logo_url, employees FROM companies WHERE id = $1", p: 0.6 },
        ]),
        http("POST", "/v1/jobs/{id}/applications", 5.0, &[
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT id, status FROM job_postings WHERE id = $1 FOR SHARE"),
            sql(&JOBS_PG, "INSERT", "applications", "INSERT INTO applications (job_id, user_id, resume_id) VALUES ($1, $2, $3) RETURNING id"),
            Step::Publish { queue: "job-application-events", worker: JOBS_RECOMMENDER, p: 1.0 },
        ]),
    ],
    // jobs-search
    &[http("GET", "/v1/search", 3.0, &[
        sql(&JOBS_ES, "search", "jobs-v3", "{\"query\":{\"bool\":{\"must\":[{\"match\":{\"title\":\"?\"}}],\"filter\":[{\"term\":{\"status\":\"OPEN\"}}]}},\"size\":20}"),
    ])],
    // jobs-recommender
    &[
        Route { method: "", template: "job-application-events", self_ms: 40.0, steps: &[
            sql(&RECO_REDIS, "HGETALL", "reco", "HGETALL reco:?"),
            sql(&JOBS_PG, "SELECT", "job_postings", "SELECT id, category, skills FROM job_postings WHERE company_id = $1 AND status = 'OPEN' LIMIT 200"),
            sql(&RECO_REDIS, "HSET", "reco", "HSET reco:? ? ?"),
        ] },
        Route { method: "JOB", template: "recompute-recommendations", self_ms: 45_000.0, steps: &[
            sql(&JOBS_PG, "SELECT", "applications", "SELECT user_id, job_id FROM applications WHERE created_at > now() - interval '1 hour'"),
            sql(&RECO_REDIS, "EVALSHA", "reco", "EVALSHA ? 1 reco:batch"),
        ] },
    ],
    // community-api
    &[
        http("GET", "/v1/feed", 3.0, &[
            Step::Cache { store: &FEED_REDIS, key: "feed", hit: 0.8 },
            sql(&COMMUNITY_DB, "SELECT", "posts", "SELECT p.id, p.title, p.author_id, p.like_count FROM posts p JOIN follows f ON f.followee_id = p.author_id WHERE f.follower_id = ? ORDER BY p.created_at DESC LIMIT 30"),
        ]),
        http("GET", "/v1/posts", 3.0, &[
            sql(&COMMUNITY_DB, "SELECT", "posts", "SELECT id, title, author_id, like_count, created_at FROM posts WHERE board_id = ? ORDER BY created_at DESC LIMIT 20"),
            sql(&COMMUNITY_DB, "SELECT", "comments", "SELECT post_id, COUNT(*) FROM comments WHERE post_id IN (?) GROUP BY post_id"),
        ]),
        http("POST", "/v1/posts/{id}/comments", 4.0, &[
            sql(&COMMUNITY_DB, "INSERT", "comments", "INSERT INTO comments (post_id, author_id, body) VALUES (?, ?, ?)"),
            Step::Publish { queue: "community-feed-events", worker: COMMUNITY_FEED_WORKER, p: 1.0 },
        ]),
    ],
    // community-feed-worker
    &[
        Route { method: "", template: "community-feed-events", self_ms: 12.0, steps: &[
            sql(&COMMUNITY_DB, "SELECT", "follows", "SELECT follower_id FROM follows WHERE followee_id = ?"),
            sql(&FEED_REDIS, "ZADD", "feed", "ZADD feed:? ? ?"),
        ] },
        Route { method: "JOB", template: "rebuild-trending-posts", self_ms: 2_500.0, steps: &[
            sql(&COMMUNITY_DB, "SELECT", "posts", "SELECT id, like_count, comment_count FROM posts WHERE created_at > now() - INTERVAL 1 DAY ORDER BY like_count DESC LIMIT 100"),
            sql(&FEED_REDIS, "SET", "trending", "SET trending:posts ?"),
        ] },
    ],
    // ads-api
    &[http("GET", "/v1/ads/slots", 2.0, &[
        Step::Cache { store: &ADS_REDIS, key: "ad-slot", hit: 0.4 },
        call(ADS_BIDDER, 0),
    ])],
    // ads-bidder
    &[http("POST", "/v1/bid", 6.0, &[sql(&ADS_REDIS, "MGET", "budget", "MGET budget:? budget:?")])],
    // research-api
    &[
        http("GET", "/v1/surveys", 6.0, &[sql(&RESEARCH_PG, "SELECT", "surveys", "SELECT id, title, reward_points, closes_at FROM surveys WHERE status = 'OPEN' AND $1 = ANY(target_jobs)")]),
        http("POST", "/v1/surveys/{id}/answers", 8.0, &[
            sql(&RESEARCH_PG, "INSERT", "answers", "INSERT INTO answers (survey_id, user_id, payload) VALUES ($1, $2, $3)"),
            sql(&RESEARCH_PG, "UPDATE", "surveys", "UPDATE surveys SET answer_count = answer_count + 1 WHERE id = $1"),
        ]),
    ],
    // gifts-api
    &[
        http("GET", "/v1/products", 3.0, &[
            Step::Cache { store: &GIFTS_REDIS, key: "products", hit: 0.7 },
            sql(&GIFTS_DB, "SELECT", "products", "SELECT id, name, brand, price, stock FROM products WHERE category_id = ? AND visible = 1"),
        ]),
        http("POST", "/v1/orders", 5.0, &[
            sql(&GIFTS_DB, "SELECT", "products", "SELECT id, price, stock FROM products WHERE id = ? FOR UPDATE"),
            sql(&GIFTS_DB, "INSERT", "orders", "INSERT INTO orders (buyer_id, receiver_phone, product_id, amount) VALUES (?, ?, ?, ?)"),
            call(GIFTS_PAYMENT, 0),
        ]),
        Route { method: "JOB", template: "settle-daily-orders", self_ms: 20_000.0, steps: &[
            sql(&GIFTS_DB, "SELECT", "orders", "SELECT id, amount FROM orders WHERE status = 'PAID' AND paid_at < CURDATE()"),
            sql(&GIFTS_DB, "UPDATE", "orders", "UPDATE orders SET status = 'SETTLED' WHERE id IN (?)"),
        ] },
    ],
    // gifts-payment
    &[http("POST", "/v1/payments", 4.0, &[
        sql(&PAYMENTS_DB, "INSERT", "payments", "INSERT INTO payments (order_id, amount, status) VALUES (?, ?, 'READY')"),
        Step::External { host: External::TossPayments, method: "POST", path: "/v1/payments/confirm", median_ms: 180.0 },
        sql(&PAYMENTS_DB, "UPDATE", "payments", "UPDATE payments SET status = 'DONE', pg_tid = ? WHERE order_id = ?"),
    ])],
];

/// Scheduled jobs: service, route index, period and offset in minutes.
pub(crate) static JOBS: [(usize, usize, i64, i64); 4] = [
    (AUTH_API, 1, 60, 17),
    (JOBS_RECOMMENDER, 1, 60, 5),
    (COMMUNITY_FEED_WORKER, 1, 10, 3),
    (GIFTS_API, 2, 24 * 60, 18 * 60 + 10),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topology_is_consistent() {
        for (s, routes) in ROUTES.iter().enumerate() {
            assert!(!routes.is_empty(), "{} has no route", SERVICES[s].name);
            for route in routes.iter() {
                for step in route.steps {
                    match step {
                        Step::Call { service, route, .. } => {
                            assert!(*route < ROUTES[*service].len());
                            assert!(!ROUTES[*service][*route].method.is_empty());
                            assert_ne!(SERVICES[*service].kind, "worker");
                        }
                        Step::Publish { worker, .. } => {
                            assert_eq!(SERVICES[*worker].kind, "worker");
                            assert_eq!(ROUTES[*worker][0].method, "");
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
