//! The services of the demo company and how they call each other.

/// One service of the demo world.
#[derive(Debug, Clone, Copy)]
pub struct ServiceInfo {
    pub name: &'static str,
    /// The talk's business domain.
    pub domain: &'static str,
    pub language: &'static str,
    pub kind: &'static str,
    /// Endpoints (HTTP routes) this service serves.
    pub routes: &'static [&'static str],
    /// Database system and name, if it has one.
    pub database: Option<(&'static str, &'static str)>,
    /// Services it calls on most requests.
    pub calls: &'static [&'static str],
}

const SERVICES: &[ServiceInfo] = &[
    ServiceInfo {
        name: "web-bff",
        domain: "platform",
        language: "nodejs",
        kind: "web",
        routes: &[
            "GET /api/home",
            "GET /api/cards",
            "GET /api/jobs",
            "POST /api/gifts/order",
            "GET /api/community",
            "GET /api/research",
        ],
        database: Some(("redis", "session")),
        calls: &["auth-api"],
    },
    ServiceInfo {
        name: "auth-api",
        domain: "platform",
        language: "kotlin",
        kind: "api",
        routes: &["POST /v1/token", "GET /v1/me"],
        database: Some(("postgresql", "auth")),
        calls: &[],
    },
    ServiceInfo {
        name: "cards-api",
        domain: "cards",
        language: "kotlin",
        kind: "api",
        routes: &["GET /v1/cards", "GET /v1/cards/{id}", "POST /v1/cards"],
        database: Some(("mysql", "cards")),
        calls: &[],
    },
    ServiceInfo {
        name: "cards-ocr-worker",
        domain: "cards",
        language: "python",
        kind: "worker",
        routes: &["process card-scan"],
        database: None,
        calls: &[],
    },
    ServiceInfo {
        name: "jobs-api",
        domain: "jobs",
        language: "kotlin",
        kind: "api",
        routes: &[
            "GET /v1/jobs",
            "GET /v1/jobs/{id}",
            "POST /v1/jobs/{id}/apply",
        ],
        database: Some(("postgresql", "jobs")),
        calls: &["jobs-search"],
    },
    ServiceInfo {
        name: "jobs-search",
        domain: "jobs",
        language: "java",
        kind: "api",
        routes: &["GET /v1/search"],
        database: Some(("elasticsearch", "jobs-index")),
        calls: &[],
    },
    ServiceInfo {
        name: "jobs-recommender",
        domain: "jobs",
        language: "python",
        kind: "worker",
        routes: &["process recommend-jobs"],
        database: Some(("redis", "reco")),
        calls: &[],
    },
    ServiceInfo {
        name: "community-api",
        domain: "community",
        language: "kotlin",
        kind: "api",
        routes: &[
            "GET /v1/posts",
            "GET /v1/posts/{id}",
            "POST /v1/posts/{id}/comments",
        ],
        database: Some(("mysql", "community")),
        calls: &[],
    },
    ServiceInfo {
        name: "community-feed-worker",
        domain: "community",
        language: "kotlin",
        kind: "worker",
        routes: &["process feed-fanout"],
        database: Some(("redis", "feed")),
        calls: &[],
    },
    ServiceInfo {
        name: "ads-api",
        domain: "ads",
        language: "nodejs",
        kind: "api",
        routes: &["GET /v1/ads/slot", "POST /v1/ads/impression"],
        database: Some(("redis", "ads")),
        calls: &["ads-bidder"],
    },
    ServiceInfo {
        name: "ads-bidder",
        domain: "ads",
        language: "java",
        kind: "api",
        routes: &["POST /v1/bid"],
        database: None,
        calls: &[],
    },
    ServiceInfo {
        name: "research-api",
        domain: "research",
        language: "python",
        kind: "api",
        routes: &["GET /v1/surveys", "POST /v1/surveys/{id}/answers"],
        database: Some(("postgresql", "research")),
        calls: &[],
    },
    ServiceInfo {
        name: "gifts-api",
        domain: "gifts",
        language: "kotlin",
        kind: "api",
        routes: &["GET /v1/products", "POST /v1/orders"],
        database: Some(("mysql", "gifts")),
        calls: &["gifts-payment"],
    },
    ServiceInfo {
        name: "gifts-payment",
        domain: "gifts",
        language: "kotlin",
        kind: "api",
        routes: &["POST /v1/payments"],
        database: Some(("mysql", "payments")),
        calls: &[],
    },
];

/// Every service of the demo world.
pub fn services() -> &'static [ServiceInfo] {
    SERVICES
}

pub(crate) fn service(name: &str) -> &'static ServiceInfo {
    SERVICES
        .iter()
        .find(|s| s.name == name)
        .expect("known demo service")
}

/// Which front-end route calls which back-end service.
pub(crate) fn bff_target(route: &str) -> &'static str {
    match route {
        "GET /api/cards" => "cards-api",
        "GET /api/jobs" => "jobs-api",
        "POST /api/gifts/order" => "gifts-api",
        "GET /api/research" => "research-api",
        "GET /api/home" => "ads-api",
        _ => "community-api",
    }
}

/// A realistic exception for a service's language.
pub(crate) fn exception(language: &str, pick: u32) -> (&'static str, &'static str, &'static str) {
    match (language, pick % 2) {
        ("kotlin" | "java", 0) => (
            "org.springframework.dao.QueryTimeoutException",
            "canceling statement due to statement timeout",
            "org.springframework.dao.QueryTimeoutException: canceling statement due to statement timeout\n\tat org.springframework.jdbc.support.SQLStateSQLExceptionTranslator.doTranslate(SQLStateSQLExceptionTranslator.java:99)\n\tat com.remember.service.Repository.findPage(Repository.kt:57)\n\tat com.remember.service.Controller.list(Controller.kt:31)",
        ),
        ("kotlin" | "java", _) => (
            "java.lang.IllegalStateException",
            "upstream returned 503",
            "java.lang.IllegalStateException: upstream returned 503\n\tat com.remember.client.HttpClient.call(HttpClient.kt:88)\n\tat com.remember.service.Service.load(Service.kt:42)",
        ),
        ("nodejs", _) => (
            "AxiosError",
            "Network Error",
            "AxiosError: Network Error\n    at XMLHttpRequest.handleError (node_modules/axios/lib/adapters/xhr.js:172:14)\n    at fetchSlot (src/ads/slot.ts:41:11)",
        ),
        (_, _) => (
            "TimeoutError",
            "task exceeded 30s",
            "Traceback (most recent call last):\n  File \"worker/main.py\", line 88, in handle\n    result = process(message)\n  File \"worker/ocr.py\", line 31, in process\nTimeoutError: task exceeded 30s",
        ),
    }
}
