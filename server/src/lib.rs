//! The Selfcare server: configuration, database, routes, demo data and the serve loop.

pub mod api_key_command;
pub mod config;
pub mod demo;
pub mod documents;
pub mod guard;
pub mod listen;
pub mod mailbox;
pub mod provider;
pub mod routes;
pub mod webhooks;

use std::{path::Path, sync::Arc, time::Duration};

use app::backend::{
    billing,
    clock::Clock,
    mail::{self, DevMailDelivery, MailDelivery, SmtpDelivery},
    notices, password_reset,
    payment_gateway::{PaymentGateway, Sandbox},
    registration, repo,
    sealed::DataKeys,
    sms::{self, DevDelivery, SmsDelivery},
    state::AppState,
};
use leptos::config::LeptosOptions;
use sqlx::{PgPool, postgres::PgPoolOptions};
use tokio::sync::Notify;

pub use config::Config;

/// A boxed error for start-up failures, printed to the operator.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// A connection that sat idle longer than this is checked (a round trip) before it is handed
/// out; one in steady use is not (issue 10).
const TEST_IDLE_AFTER: Duration = Duration::from_secs(1);

/// The pool's settings. sqlx's default round-trips to PostgreSQL before every checkout
/// (`test_before_acquire`), on top of the check it always makes on release: three round trips
/// for a checkout that runs one query. Here only a connection idle for `TEST_IDLE_AFTER` is
/// checked before it is handed out, as connection pools commonly do: after an outage the idle
/// connections are stale and get replaced, while one broken mid-use fails its query (a 503)
/// and is dropped on release, where sqlx always checks (QUALITY "Database outage").
fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= TEST_IDLE_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// Connects to PostgreSQL (`DATABASE_URL`, at most `SELFCARE_DB_POOL_SIZE` connections),
/// waiting up to `wait` for it to accept connections.
pub async fn connect(config: &Config, wait: Duration) -> Result<PgPool, BoxError> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let attempt = pool_options(config.db_pool_size)
            .connect(&config.database_url)
            .await;
        match attempt {
            Ok(pool) => return Ok(pool),
            Err(err) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %err, "database not reachable yet, retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => return Err(format!("cannot connect to the database: {err}").into()),
        }
    }
}

/// The Leptos options for a site folder and address.
pub fn leptos_options(site_root: &Path, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(bundle_name(site_root))
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// The browser bundle's name in `site_root/pkg`: `selfcare-<hash>` as the build names its
/// script, WASM, compiling worker and stylesheet after their content (so they are cached for a
/// year), or `selfcare` when there is no hashed bundle (a site folder not made by
/// `scripts/lib.sh`).
pub fn bundle_name(site_root: &Path) -> String {
    std::fs::read_dir(site_root.join("pkg"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter_map(|name| {
            let stem = name.strip_suffix(".js")?;
            let hash = stem.strip_prefix("selfcare-")?;
            hash.chars()
                .all(|c| c.is_ascii_hexdigit())
                .then(|| stem.to_string())
        })
        .max()
        .unwrap_or_else(|| "selfcare".to_string())
}

/// Builds the application state: the provider must exist in the database.
pub async fn state(config: &Config, pool: PgPool) -> Result<AppState, BoxError> {
    let provider_id = repo::providers::id_by_slug(&pool, &config.provider_slug)
        .await?
        .ok_or_else(|| {
            format!(
                "no provider with slug {:?} in the database; set SELFCARE_DEMO_DATA=true to load \
                 the demo provider, or SELFCARE_PROVIDER to an existing slug",
                config.provider_slug
            )
        })?;
    Ok(AppState {
        leptos_options: leptos_options(&config.site_root, config.addr),
        pool: pool.clone(),
        clock: config.clock(),
        provider_id,
        secure_cookies: config.secure_cookies,
        hsts_max_age: config.secure_cookies.then_some(config.hsts_max_age),
        trusted_proxies: Arc::new(config.trusted_proxies.clone()),
        sms_outbox: Arc::new(Notify::new()),
        mail_outbox: Arc::new(Notify::new()),
        public_url: Arc::from(config.public_url.as_str()),
        payments: Arc::new(Sandbox::beside(&pool)),
        db: app::backend::db_health::DbHealth::of(&pool),
        keys: config.data_keys()?,
    })
}

/// Migrates, loads the demo data when asked, and serves until SIGTERM or Ctrl-C, letting
/// in-flight requests finish.
pub async fn serve(config: Config) -> Result<(), BoxError> {
    // No key, no start (outside the demo): nothing is stored that could not be opened.
    let keys = config.data_keys()?;
    let pool = connect(&config, Duration::from_secs(30)).await?;
    MIGRATOR.run(&pool).await?;
    let clock = config.clock();
    if config.demo_data {
        demo::load(&pool, clock.today(), &keys).await?;
    }
    seal_clear_values(&pool, &keys).await?;
    let state = state(&config, pool.clone()).await?;
    let state_wakeup = state.sms_outbox.clone();
    let mail_wakeup = state.mail_outbox.clone();
    let mail_context = state.mail_context();
    let payments = state.payments.clone();
    let provider_id = state.provider_id;
    let mut app = routes::router_with_limiter(
        state,
        guard::IpLimiter::new(config.per_address_burst, routes::PER_ADDRESS_EVERY),
    );
    if config.bench_route {
        app = app.merge(routes::bench_router());
    }
    if config.dev_mailbox() {
        app = app.merge(mailbox::router(pool.clone()));
    }

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", config.addr))?;
    println!("Selfcare is listening on http://{}", config.addr);
    if clock.is_pinned() {
        println!("Today is pinned to {} (SELFCARE_TODAY)", clock.today());
    }
    if config.demo_data {
        demo::print_logins();
    }
    tokio::spawn(purge_sessions(pool.clone()));
    if let Some(target) = &config.webhook {
        println!(
            "Provider events go to {} (SELFCARE_WEBHOOK_URL)",
            target.url
        );
        tokio::spawn(webhooks::run(
            pool.clone(),
            provider_id,
            webhooks::Webhook {
                url: target.url.clone(),
                secret: target.secret.as_str().into(),
            },
        ));
    }
    let (stop, stopping) = tokio::sync::watch::channel(false);
    // The demo's loading ran billing for today already: the job starts one interval later.
    let billing = tokio::spawn(billing_job(
        pool.clone(),
        payments,
        keys,
        clock,
        config.demo_data,
        stopping,
    ));
    match &config.smtp_url {
        Some(url) => {
            let smtp = SmtpDelivery::new(&url.0, &config.mail_from)?;
            println!("Mails go out through SMTP (SELFCARE_SMTP_URL)");
            tokio::spawn(deliver_mail(smtp, pool.clone(), mail_context, mail_wakeup));
        }
        None => {
            if config.dev_mailbox() {
                println!(
                    "Mails go to the log and to http://{}/dev/mailbox (no SELFCARE_SMTP_URL)",
                    config.addr
                );
            }
            tokio::spawn(deliver_mail(
                DevMailDelivery,
                pool.clone(),
                mail_context,
                mail_wakeup,
            ));
        }
    }
    tokio::spawn(deliver_sms(
        DevDelivery { pool: pool.clone() },
        pool,
        state_wakeup,
    ));
    listen::serve(listener, app, config.timeouts, async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await;
    // In-flight requests have finished; a running billing batch commits before the exit.
    if tokio::time::timeout(Duration::from_secs(30), billing)
        .await
        .is_err()
    {
        tracing::warn!("billing job still busy after 30 s; exiting (its open batch rolls back)");
    }
    println!("Selfcare stopped");
    Ok(())
}

/// How often the scheduled billing run looks at "today" (B7): rerunning a day is a no-op.
const BILLING_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// B7: the scheduled billing run for "today", at start (unless it just ran) and then every
/// quarter of an hour, charging through the same provider as the portal. On shutdown it
/// stops between two batches.
async fn billing_job(
    pool: PgPool,
    gateway: Arc<dyn PaymentGateway>,
    keys: Arc<DataKeys>,
    clock: Clock,
    billed_at_start: bool,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let first = tokio::time::Instant::now()
        + if billed_at_start {
            BILLING_INTERVAL
        } else {
            Duration::ZERO
        };
    let mut tick = tokio::time::interval_at(first, BILLING_INTERVAL);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopping.changed() => {}
        }
        if *stopping.borrow() {
            return;
        }
        let day = clock.today();
        match billing::run_until(&pool, gateway.as_ref(), &keys, day, &stopping).await {
            Ok(report) => tracing::info!(%day, %report, "billing run"),
            Err(err) => tracing::warn!(%day, error = %err, "billing run failed"),
        }
    }
}

/// Runs billing for one day from the command line (`selfcare-server billing-run --date D`).
pub async fn billing_run_command(config: &Config, day: chrono::NaiveDate) -> Result<(), BoxError> {
    let keys = config.data_keys()?;
    let pool = connect(config, Duration::from_secs(30)).await?;
    MIGRATOR.run(&pool).await?;
    seal_clear_values(&pool, &keys).await?;
    let gateway = Sandbox::beside(&pool);
    let report = billing::run(&pool, &gateway, &keys, day).await?;
    println!("billing run for {day}: {report}");
    Ok(())
}

/// Seals the IBANs and two-factor secrets still in clear (rows from before sealing, the demo
/// loader) under the current data key (issue 24 item 15).
pub async fn seal_clear_values(pool: &PgPool, keys: &DataKeys) -> Result<(), BoxError> {
    let sealed = repo::secrets::seal(pool, keys, repo::secrets::Pass::Clear).await?;
    if sealed != repo::secrets::Sealed::default() {
        tracing::info!(
            ibans = sealed.ibans,
            totp_secrets = sealed.totp_secrets,
            "values in clear sealed"
        );
    }
    Ok(())
}

/// `selfcare-server rotate-data-key`: seals every value again under the first key of
/// `SELFCARE_DATA_KEY` (the others still open the old values until this has run).
pub async fn rotate_data_key_command(config: &Config) -> Result<(), BoxError> {
    let keys = config.data_keys()?;
    let pool = connect(config, Duration::from_secs(30)).await?;
    MIGRATOR.run(&pool).await?;
    let sealed = repo::secrets::seal(&pool, &keys, repo::secrets::Pass::Rotate).await?;
    println!(
        "sealed under key {}: {} IBANs, {} two-factor secrets",
        keys.current_id(),
        sealed.ibans,
        sealed.totp_secrets
    );
    Ok(())
}

/// Logs a purge step that failed (the next round tries again).
fn purged(what: &str, result: Result<u64, app::error::AppError>) {
    if let Err(err) = result {
        tracing::warn!(error = %err, "{what} purge failed");
    }
}

/// Every ten minutes: deletes expired sessions, day-old sign-in failures, spent mail links and
/// requests, old sent mails and idempotency keys, and moves usage rows of months without a
/// partition into one.
async fn purge_sessions(pool: PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match repo::sessions::purge_expired(&pool, app::backend::session::IDLE_TIMEOUT_MINUTES)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "expired sessions purged"),
            Err(err) => tracing::warn!(error = %err, "session purge failed"),
        }
        purged("password reset", repo::password_resets::purge(&pool).await);
        purged("registration", repo::registrations::purge(&pool).await);
        purged("email change", repo::email_changes::purge(&pool).await);
        purged("mail outbox", mail::purge(&pool).await);
        purged(
            "sign-in failure",
            repo::security::purge_failures(&pool).await,
        );
        purged(
            "idempotency key",
            app::backend::idempotency::purge(&pool).await,
        );
        purged(
            "provider idempotency key",
            app::backend::provider_idempotency::purge(&pool).await,
        );
        let adopted = match pool.acquire().await {
            Ok(mut conn) => repo::usage::adopt_default_rows(&mut conn).await,
            Err(err) => Err(err.into()),
        };
        if let Err(err) = adopted {
            tracing::warn!(error = %err, "usage partition maintenance failed");
        }
    }
}

/// Sends what waits in the SMS outbox: woken by the server functions that queue an SMS, and
/// every 30 seconds for retries and for rows queued by another instance.
async fn deliver_sms<D: SmsDelivery>(delivery: D, pool: PgPool, wakeup: Arc<Notify>) {
    const BATCH: usize = 50;
    loop {
        match sms::deliver_pending(&pool, &delivery, BATCH).await {
            Ok(0) => {}
            Ok(BATCH) => continue,
            Ok(n) => tracing::info!(sent = n, "SMS delivered"),
            Err(err) => tracing::warn!(error = %err, "SMS delivery run failed"),
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), wakeup.notified()).await;
    }
}

/// Makes the mails of password reset requests, registrations and new inbox messages (new
/// invoices first get theirs), and sends what waits in the mail outbox: woken by the server
/// functions that queue one, and every 30 seconds for retries, for rows queued by another
/// instance and for what the billing run and usage ingestion wrote (issue 27).
async fn deliver_mail<D: MailDelivery>(
    delivery: D,
    pool: PgPool,
    context: mail::MailContext,
    wakeup: Arc<Notify>,
) {
    const BATCH: usize = 50;
    const NOTICE_BATCH: i64 = 200;
    loop {
        let resets = password_reset::process_requests(&pool, &context, BATCH).await;
        if let Err(err) = &resets {
            tracing::warn!(error = %err, "password reset requests not handled");
        }
        let registrations = registration::process_requests(&pool, &context, BATCH).await;
        if let Err(err) = &registrations {
            tracing::warn!(error = %err, "registrations not handled");
        }
        // Inbox messages for new invoices, then the mails of new inbox messages (issue 27).
        let invoices = notices::announce_invoices(&pool, &context, NOTICE_BATCH).await;
        if let Err(err) = &invoices {
            tracing::warn!(error = %err, "new invoices not announced");
        }
        let messages = notices::mail_messages(&pool, &context, NOTICE_BATCH).await;
        if let Err(err) = &messages {
            tracing::warn!(error = %err, "inbox messages not mailed");
        }
        match mail::deliver_pending(&pool, &delivery, BATCH).await {
            Ok(BATCH) => continue,
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "mails delivered"),
            Err(err) => tracing::warn!(error = %err, "mail delivery run failed"),
        }
        if matches!(resets, Ok(BATCH))
            || matches!(registrations, Ok(BATCH))
            || matches!(invoices, Ok(n) if n > 0)
            || matches!(messages, Ok(n) if n > 0)
        {
            continue;
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), wakeup.notified()).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down, finishing in-flight requests");
}
