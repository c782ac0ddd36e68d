//! The exceptions the demo's services throw: a few recurring ones per service
//! (so error tracking has issues to group), the incident's query timeout, and
//! the AxiosError burst, each with a stack trace in its language's own form.

/// One exception as it appears in logs and span events.
#[derive(Debug)]
pub(crate) struct Exception {
    pub(crate) ty: &'static str,
    pub(crate) message: &'static str,
    pub(crate) stack: &'static str,
    /// HTTP status a server answers with when this escapes a handler.
    pub(crate) status: u16,
}

const fn ex(
    ty: &'static str,
    message: &'static str,
    status: u16,
    stack: &'static str,
) -> Exception {
    Exception {
        ty,
        message,
        stack,
        status,
    }
}

/// jobs-api during the incident: Postgres cancels the statement at the
/// 3 s `statement_timeout`, and the repository layer rethrows it.
pub(crate) static QUERY_TIMEOUT: Exception = ex(
    "QueryTimeoutError",
    "canceling statement due to statement timeout",
    500,
    "com.remember.jobs.infra.db.QueryTimeoutError: canceling statement due to statement timeout
\tat com.remember.jobs.infra.db.JdbcExceptionTranslator.translate(JdbcExceptionTranslator.kt:41)
\tat com.remember.jobs.infra.db.JobPostingRepositoryImpl.findPage(JobPostingRepositoryImpl.kt:88)
\tat com.remember.jobs.application.JobQueryService.list(JobQueryService.kt:52)
\tat com.remember.jobs.web.JobController.list(JobController.kt:37)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:138)
\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)
\tat java.base/java.lang.Thread.run(Thread.java:1583)
Caused by: org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)
\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2412)
\tat org.postgresql.jdbc.PgPreparedStatement.executeQuery(PgPreparedStatement.java:137)
\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeQuery(HikariProxyPreparedStatement.java)
\t... 42 more",
);

/// The same timeout as the JDBC driver reports it on the database span.
pub(crate) static PG_STATEMENT_TIMEOUT: Exception = ex(
    "org.postgresql.util.PSQLException",
    "ERROR: canceling statement due to statement timeout",
    500,
    "org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)
\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2412)
\tat org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:371)
\tat org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:502)
\tat org.postgresql.jdbc.PgPreparedStatement.executeQuery(PgPreparedStatement.java:137)",
);

/// web-bff's axios client when the connection to ads-api drops (the burst).
pub(crate) static AXIOS_NETWORK: Exception = ex(
    "AxiosError",
    "Network Error",
    502,
    "AxiosError: Network Error
    at AxiosError.from (/app/node_modules/axios/lib/core/AxiosError.js:92:14)
    at RedirectableRequest.handleRequestError (/app/node_modules/axios/lib/adapters/http.js:620:25)
    at RedirectableRequest.emit (node:events:519:28)
    at ClientRequest.eventHandlers.<computed> (/app/node_modules/follow-redirects/index.js:38:24)
    at Axios.request (/app/node_modules/axios/lib/core/Axios.js:45:41)
    at async AdsClient.fetchSlots (/app/dist/clients/ads.client.js:41:22)
    at async HomeService.compose (/app/dist/home/home.service.js:58:19)",
);

/// A caller of a failing service, per language: the error it raises itself.
pub(crate) fn upstream(language: &str) -> &'static Exception {
    match language {
        "nodejs" => &AXIOS_STATUS,
        "python" => &HTTPX_STATUS,
        _ => &FEIGN_SERVER_ERROR,
    }
}

static AXIOS_STATUS: Exception = ex(
    "AxiosError",
    "Request failed with status code 500",
    502,
    "AxiosError: Request failed with status code 500
    at settle (/app/node_modules/axios/lib/core/settle.js:19:12)
    at IncomingMessage.handleStreamEnd (/app/node_modules/axios/lib/adapters/http.js:599:11)
    at IncomingMessage.emit (node:events:531:35)
    at endReadableNT (node:internal/streams/readable:1696:12)
    at Axios.request (/app/node_modules/axios/lib/core/Axios.js:45:41)
    at async ProxyService.forward (/app/dist/proxy/proxy.service.js:33:20)",
);

static HTTPX_STATUS: Exception = ex(
    "httpx.HTTPStatusError",
    "Server error '500 Internal Server Error'",
    502,
    "Traceback (most recent call last):
  File \"/app/app/clients/base.py\", line 44, in request
    response.raise_for_status()
  File \"/usr/local/lib/python3.12/site-packages/httpx/_models.py\", line 829, in raise_for_status
    raise HTTPStatusError(message, request=request, response=self)
httpx.HTTPStatusError: Server error '500 Internal Server Error'",
);

static FEIGN_SERVER_ERROR: Exception = ex(
    "feign.FeignException$InternalServerError",
    "[500 Internal Server Error] during [POST] to [http://gifts-payment/v1/payments]",
    502,
    "feign.FeignException$InternalServerError: [500 Internal Server Error] during [POST] to [http://gifts-payment/v1/payments]
\tat feign.FeignException.serverErrorStatus(FeignException.java:259)
\tat feign.FeignException.errorStatus(FeignException.java:206)
\tat feign.codec.ErrorDecoder$Default.decode(ErrorDecoder.java:92)
\tat feign.AsyncResponseHandler.handleResponse(AsyncResponseHandler.java:98)
\tat com.remember.gifts.order.PaymentClient.approve(PaymentClient.kt:27)
\tat com.remember.gifts.order.OrderService.place(OrderService.kt:64)",
);

/// Recurring exceptions of each service (by index in `world::SERVICES`),
/// the most common first.
pub(crate) fn recurring(service: usize) -> &'static [Exception] {
    RECURRING[service]
}

static RECURRING: [&[Exception]; 14] = [
    // web-bff (Node.js)
    &[
        ex("AxiosError", "timeout of 3000ms exceeded", 504,
"AxiosError: timeout of 3000ms exceeded
    at RedirectableRequest.handleRequestTimeout (/app/node_modules/axios/lib/adapters/http.js:647:16)
    at RedirectableRequest.emit (node:events:519:28)
    at Timeout.<anonymous> (/app/node_modules/follow-redirects/index.js:210:12)
    at listOnTimeout (node:internal/timers:581:17)
    at Axios.request (/app/node_modules/axios/lib/core/Axios.js:45:41)"),
        ex("TypeError", "Cannot read properties of undefined (reading 'profileImageUrl')", 500,
"TypeError: Cannot read properties of undefined (reading 'profileImageUrl')
    at toCardView (/app/dist/cards/card.mapper.js:17:38)
    at Array.map (<anonymous>)
    at CardsController.list (/app/dist/cards/cards.controller.js:29:31)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"),
    ],
    // auth-api (Kotlin)
    &[ex("org.springframework.dao.DataAccessResourceFailureException", "Unable to acquire JDBC Connection", 503,
"org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:275)
\tat com.remember.auth.session.SessionRepository.findByToken(SessionRepository.kt:33)
\tat com.remember.auth.web.MeController.me(MeController.kt:21)
Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)")],
    // cards-api (Kotlin)
    &[
        ex("java.lang.IllegalStateException", "card owner mismatch", 500,
"java.lang.IllegalStateException: card owner mismatch
\tat com.remember.cards.domain.CardBook.requireOwner(CardBook.kt:52)
\tat com.remember.cards.application.CardQueryService.get(CardQueryService.kt:40)
\tat com.remember.cards.web.CardController.get(CardController.kt:31)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)"),
        ex("com.fasterxml.jackson.databind.exc.MismatchedInputException", "Cannot deserialize value of type `java.time.LocalDate` from String \"2024-13-01\"", 500,
"com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize value of type `java.time.LocalDate` from String \"2024-13-01\"
\tat com.fasterxml.jackson.databind.DeserializationContext.reportInputMismatch(DeserializationContext.java:1767)
\tat com.remember.cards.infra.OcrResultMapper.toCard(OcrResultMapper.kt:64)
\tat com.remember.cards.application.CardScanService.register(CardScanService.kt:48)"),
    ],
    // cards-ocr-worker (Python)
    &[
        ex("botocore.exceptions.ClientError", "An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.", 500,
"Traceback (most recent call last):
  File \"/app/worker/handler.py\", line 61, in handle
    image = s3.get_object(Bucket=BUCKET, Key=message[\"key\"])[\"Body\"].read()
  File \"/usr/local/lib/python3.12/site-packages/botocore/client.py\", line 565, in _api_call
    return self._make_api_call(operation_name, kwargs)
  File \"/usr/local/lib/python3.12/site-packages/botocore/client.py\", line 1017, in _make_api_call
    raise error_class(parsed_response, operation_name)
botocore.exceptions.ClientError: An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist."),
        ex("TimeoutError", "OCR engine did not answer within 30s", 500,
"Traceback (most recent call last):
  File \"/app/worker/handler.py\", line 74, in handle
    fields = await ocr.extract(image, timeout=30)
  File \"/app/worker/ocr.py\", line 39, in extract
    async with asyncio.timeout(timeout):
  File \"/usr/local/lib/python3.12/asyncio/timeouts.py\", line 115, in __aexit__
    raise TimeoutError from exc_val
TimeoutError: OCR engine did not answer within 30s"),
    ],
    // jobs-api (Kotlin)
    &[ex("kotlinx.coroutines.TimeoutCancellationException", "Timed out waiting for 2000 ms", 504,
"kotlinx.coroutines.TimeoutCancellationException: Timed out waiting for 2000 ms
\tat kotlinx.coroutines.TimeoutKt.TimeoutCancellationException(Timeout.kt:189)
\tat kotlinx.coroutines.TimeoutCoroutine.run(Timeout.kt:157)
\tat com.remember.jobs.application.JobQueryService.list(JobQueryService.kt:47)
\tat com.remember.jobs.web.JobController.list(JobController.kt:37)")],
    // jobs-search (Java)
    &[
        ex("org.elasticsearch.client.ResponseException", "method [POST], host [https://vpc-jobs-search.es.amazonaws.com], URI [/jobs-v3/_search], status line [HTTP/1.1 429 Too Many Requests]", 503,
"org.elasticsearch.client.ResponseException: method [POST], host [https://vpc-jobs-search.es.amazonaws.com], URI [/jobs-v3/_search], status line [HTTP/1.1 429 Too Many Requests]
\tat org.elasticsearch.client.RestClient.convertResponse(RestClient.java:347)
\tat org.elasticsearch.client.RestClient.performRequest(RestClient.java:313)
\tat com.remember.jobsearch.search.JobSearchRepository.search(JobSearchRepository.java:88)
\tat com.remember.jobsearch.web.SearchController.search(SearchController.java:42)"),
        ex("java.net.SocketTimeoutException", "30,000 milliseconds timeout on connection http-outgoing-12 [ACTIVE]", 504,
"java.net.SocketTimeoutException: 30,000 milliseconds timeout on connection http-outgoing-12 [ACTIVE]
\tat org.apache.http.nio.protocol.HttpAsyncRequestExecutor.timeout(HttpAsyncRequestExecutor.java:387)
\tat org.elasticsearch.client.RestClient.performRequest(RestClient.java:300)
\tat com.remember.jobsearch.search.JobSearchRepository.search(JobSearchRepository.java:88)"),
    ],
    // jobs-recommender (Python)
    &[
        ex("redis.exceptions.ConnectionError", "Error 111 connecting to reco-prod.cache.internal:6379. Connection refused.", 500,
"Traceback (most recent call last):
  File \"/app/recommender/consumer.py\", line 52, in on_message
    cached = await redis.hgetall(f\"reco:{user_id}\")
  File \"/usr/local/lib/python3.12/site-packages/redis/asyncio/connection.py\", line 291, in connect
    raise ConnectionError(self._error_message(e))
redis.exceptions.ConnectionError: Error 111 connecting to reco-prod.cache.internal:6379. Connection refused."),
        ex("KeyError", "'embedding'", 500,
"Traceback (most recent call last):
  File \"/app/recommender/consumer.py\", line 58, in on_message
    vector = profile[\"embedding\"]
KeyError: 'embedding'"),
    ],
    // community-api (Kotlin)
    &[ex("org.springframework.dao.DataIntegrityViolationException", "could not execute statement; SQL [n/a]; constraint [uk_comment_dedup]", 500,
"org.springframework.dao.DataIntegrityViolationException: could not execute statement; SQL [n/a]; constraint [uk_comment_dedup]
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:290)
\tat com.remember.community.comment.CommentService.write(CommentService.kt:71)
\tat com.remember.community.web.CommentController.create(CommentController.kt:35)
Caused by: java.sql.SQLIntegrityConstraintViolationException: Duplicate entry '88123-u-20931' for key 'uk_comment_dedup'
\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:118)")],
    // community-feed-worker (Kotlin)
    &[ex("io.lettuce.core.RedisCommandTimeoutException", "Command timed out after 1 minute(s)", 500,
"io.lettuce.core.RedisCommandTimeoutException: Command timed out after 1 minute(s)
\tat io.lettuce.core.internal.ExceptionFactory.createTimeoutException(ExceptionFactory.java:59)
\tat io.lettuce.core.internal.Futures.awaitOrCancel(Futures.java:246)
\tat com.remember.feed.fanout.FeedFanoutHandler.handle(FeedFanoutHandler.kt:44)
\tat io.awspring.cloud.sqs.listener.AsyncMessageListenerAdapter.onMessage(AsyncMessageListenerAdapter.java:62)")],
    // ads-api (Node.js)
    &[ex("TypeError", "Cannot read properties of null (reading 'campaignId')", 500,
"TypeError: Cannot read properties of null (reading 'campaignId')
    at pickCreative (/app/dist/slots/creative.js:23:41)
    at SlotService.fill (/app/dist/slots/slot.service.js:48:18)
    at async SlotController.get (/app/dist/slots/slot.controller.js:19:20)")],
    // ads-bidder (Java)
    &[ex("java.util.concurrent.TimeoutException", "bid deadline of 80 ms exceeded", 504,
"java.util.concurrent.TimeoutException: bid deadline of 80 ms exceeded
\tat java.base/java.util.concurrent.CompletableFuture.timedGet(CompletableFuture.java:1960)
\tat com.remember.ads.bidder.Auction.run(Auction.java:77)
\tat com.remember.ads.bidder.BidController.bid(BidController.java:31)")],
    // research-api (Python)
    &[ex("sqlalchemy.exc.OperationalError", "(psycopg.OperationalError) server closed the connection unexpectedly", 500,
"Traceback (most recent call last):
  File \"/app/research/api/surveys.py\", line 38, in list_surveys
    rows = await session.execute(stmt)
  File \"/usr/local/lib/python3.12/site-packages/sqlalchemy/ext/asyncio/session.py\", line 461, in execute
    result = await greenlet_spawn(self.sync_session.execute, statement)
sqlalchemy.exc.OperationalError: (psycopg.OperationalError) server closed the connection unexpectedly")],
    // gifts-api (Kotlin)
    &[ex("com.remember.gifts.order.OutOfStockException", "product 40213 is out of stock", 500,
"com.remember.gifts.order.OutOfStockException: product 40213 is out of stock
\tat com.remember.gifts.order.StockService.reserve(StockService.kt:58)
\tat com.remember.gifts.order.OrderService.place(OrderService.kt:49)
\tat com.remember.gifts.web.OrderController.create(OrderController.kt:28)")],
    // gifts-payment (Kotlin)
    &[
        ex("com.remember.payment.pg.PgApprovalException", "PG 승인 실패: 카드사 승인 거절 (REJECT_CARD_COMPANY)", 500,
"com.remember.payment.pg.PgApprovalException: PG 승인 실패: 카드사 승인 거절 (REJECT_CARD_COMPANY)
\tat com.remember.payment.pg.TossPaymentsClient.confirm(TossPaymentsClient.kt:73)
\tat com.remember.payment.application.PaymentService.approve(PaymentService.kt:45)
\tat com.remember.payment.web.PaymentController.create(PaymentController.kt:26)"),
        ex("java.net.SocketTimeoutException", "Read timed out", 504,
"java.net.SocketTimeoutException: Read timed out
\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)
\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)
\tat okhttp3.internal.http1.Http1ExchangeCodec.readResponseHeaders(Http1ExchangeCodec.kt:180)
\tat com.remember.payment.pg.TossPaymentsClient.confirm(TossPaymentsClient.kt:70)"),
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stack_trace_names_its_exception() {
        let all = RECURRING
            .iter()
            .flat_map(|list| list.iter())
            .chain([&QUERY_TIMEOUT, &PG_STATEMENT_TIMEOUT, &AXIOS_NETWORK])
            .chain(["nodejs", "python", "kotlin"].map(upstream));
        for e in all {
            let short = e.ty.rsplit('.').next().unwrap();
            assert!(e.stack.contains(short), "{} not in its stack", e.ty);
            assert!(e.stack.contains(e.message), "{} message not in stack", e.ty);
            assert!(e.status >= 500);
        }
        assert!(RECURRING.iter().all(|list| !list.is_empty()));
    }
}
