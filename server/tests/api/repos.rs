//! The repositories on their own (H1, L2, S1): account overview, links and rights, logins and
//! sessions, on a small household (`fixtures/household.sql`) in a database of the one harness
//! (`common::db`).

use app::{
    backend::{password, repo, session},
    domain::{
        account::{ContractStatus, InvoiceStatus},
        balance::BalanceState,
        rights::{Link, Rights, Role},
    },
    error::AppError,
};
use rust_decimal::dec;
use sqlx::PgPool;

/// A fresh database with the small household of `fixtures/household.sql`.
async fn household() -> PgPool {
    let pool = crate::common::db().await;
    sqlx::raw_sql(include_str!("fixtures/household.sql"))
        .execute(&pool)
        .await
        .expect("household fixture");
    pool
}

async fn login(pool: &PgPool, email: &str) -> i64 {
    let hash = password::hash("a long enough passphrase".into())
        .await
        .expect("hash");
    let mut conn = pool.acquire().await.expect("connection");
    repo::logins::create(&mut conn, 1, email, &hash, "de")
        .await
        .expect("insert")
        .expect("new login")
}

#[tokio::test]
async fn overview_sums_invoices_credit_notes_and_payments() {
    let pool = household().await;
    let overview = repo::accounts::overview(&pool, 1).await.expect("overview");
    // 1200.00 + 1234.56 invoiced − 100.00 credited − 1200.00 paid.
    assert_eq!(
        (overview.invoiced, overview.credited, overview.paid),
        (dec!(2434.56), dec!(100.00), dec!(1200.00))
    );
    let shown = app::api::home::AccountOverview::from(overview.clone());
    assert_eq!(shown.balance, BalanceState::Due(dec!(1134.56)));
    let last = overview.last_invoice.expect("last invoice");
    assert_eq!(last.number, "2024-000002");
    assert_eq!(last.total, dec!(1234.56));
    assert_eq!(last.status, InvoiceStatus::Open);
    assert_eq!(overview.customer_number, "200001");
    assert_eq!(overview.city, "Köln");
    assert_eq!(overview.currency.code(), "EUR");
    // The lines of the customer number, and only those.
    let mut conn = pool.acquire().await.expect("connection");
    let lines = repo::products::lines_of_customer(&mut conn, 1)
        .await
        .expect("lines");
    let numbers: Vec<_> = lines.iter().map(|c| c.contract_number.as_str()).collect();
    assert_eq!(numbers, ["200001-01", "200001-02"]);
    assert!(lines.iter().all(|c| c.status == ContractStatus::Active));
    assert!(
        lines
            .iter()
            .all(|c| c.vat_rate == dec!(19) && c.currency.code() == "EUR")
    );
}

#[tokio::test]
async fn a_customer_without_invoices_has_no_last_invoice_and_owes_nothing() {
    let pool = household().await;
    let mut conn = pool.acquire().await.expect("connection");
    sqlx::query("DELETE FROM invoices WHERE customer_id = 2")
        .execute(&mut *conn)
        .await
        .expect("delete");
    let overview = repo::accounts::overview(&pool, 2).await.expect("overview");
    assert!(overview.last_invoice.is_none());
    let shown = app::api::home::AccountOverview::from(overview.clone());
    assert_eq!(shown.balance, BalanceState::Settled);
    assert_eq!(overview.customer_number, "200002");
    // The other customer's invoices are not theirs.
    let first = repo::accounts::overview(&pool, 1).await.expect("overview");
    assert_eq!(
        first.last_invoice.map(|i| i.number).as_deref(),
        Some("2024-000002")
    );
}

#[tokio::test]
async fn unknown_customer_is_not_found() {
    let pool = household().await;
    let err = repo::accounts::overview(&pool, 999)
        .await
        .expect_err("missing");
    assert_eq!(err, AppError::NotFound);
}

#[tokio::test]
async fn links_resolve_to_rights() {
    let pool = household().await;
    let holder = login(&pool, "holder@example.de").await;
    let user = login(&pool, "user@example.de").await;
    sqlx::query("INSERT INTO links (login_id, role, customer_id) VALUES ($1, 'holder', 1)")
        .bind(holder)
        .execute(&pool)
        .await
        .expect("holder link");
    sqlx::query("INSERT INTO links (login_id, role, contract_id) VALUES ($1, 'user', 3)")
        .bind(user)
        .execute(&pool)
        .await
        .expect("user link");

    let unlinked = login(&pool, "unlinked@example.de").await;

    // The links come with the session, in the one statement every request runs.
    let links_of = |login_id: i64| {
        let pool = pool.clone();
        async move {
            let hash = session::token_hash(&format!("token-of-{login_id}"));
            repo::sessions::rotate(&pool, None, &hash, login_id, 12)
                .await
                .expect("session");
            repo::sessions::find_live(&pool, &hash, 30)
                .await
                .expect("lookup")
                .expect("live session")
                .links
        }
    };
    let holder_rights = Rights::from_links(&links_of(holder).await);
    assert!(holder_rights.may_manage_account(1));
    assert!(!holder_rights.may_manage_account(2));
    assert_eq!(holder_rights.contract_role(1, 1), Some(Role::Holder));

    let user_links = links_of(user).await;
    assert_eq!(user_links, vec![Link::User { contract_id: 3 }]);
    let user_rights = Rights::from_links(&user_links);
    assert!(!user_rights.may_manage_account(2));
    assert_eq!(user_rights.contract_role(3, 2), Some(Role::User));

    assert_eq!(links_of(unlinked).await, Vec::<Link>::new());

    let mut conn = pool.acquire().await.expect("connection");
    let contracts = repo::products::lines_by_id(&mut conn, user_rights.user_contracts())
        .await
        .expect("contracts");
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0].tariff_name, None);
    assert_eq!(contracts[0].status, ContractStatus::Cancelled);
}

#[tokio::test]
async fn one_holder_link_per_login_is_enforced_by_the_database() {
    let pool = household().await;
    let id = login(&pool, "two-holders@example.de").await;
    sqlx::query("INSERT INTO links (login_id, role, customer_id) VALUES ($1, 'holder', 1)")
        .bind(id)
        .execute(&pool)
        .await
        .expect("first holder link");
    let second =
        sqlx::query("INSERT INTO links (login_id, role, customer_id) VALUES ($1, 'holder', 2)")
            .bind(id)
            .execute(&pool)
            .await
            .expect_err("L4");
    assert!(second.to_string().contains("links_one_holder_per_login"));
    // A user link must name a contract, not a customer.
    let bad = sqlx::query("INSERT INTO links (login_id, role, customer_id) VALUES ($1, 'user', 1)")
        .bind(id)
        .execute(&pool)
        .await
        .expect_err("role/target");
    assert!(bad.to_string().contains("links_role_target"));
}

#[tokio::test]
async fn emails_are_unique_per_provider() {
    let pool = household().await;
    login(&pool, "same@example.de").await;
    let mut conn = pool.acquire().await.expect("connection");
    let again = repo::logins::create(&mut conn, 1, "same@example.de", "x", "de")
        .await
        .expect("query");
    assert_eq!(again, None);
    let found = repo::logins::find_by_email(&pool, 1, "same@example.de")
        .await
        .expect("query")
        .expect("found");
    assert!(found.password_hash.starts_with("$argon2id$"));
    assert!(
        repo::logins::find_by_email(&pool, 1, "missing@example.de")
            .await
            .expect("query")
            .is_none()
    );
}

#[tokio::test]
async fn sessions_rotate_expire_and_purge() {
    let pool = household().await;
    let id = login(&pool, "session@example.de").await;
    let (_, first) = session::new_token().expect("token");
    repo::sessions::rotate(&pool, None, &first, id, 12)
        .await
        .expect("first");
    let found = repo::sessions::find_live(&pool, &first, 30)
        .await
        .expect("query");
    assert_eq!(found.map(|s| s.login_id), Some(id));

    // Signing in again with the old cookie replaces the session (rotation).
    let (_, second) = session::new_token().expect("token");
    repo::sessions::rotate(&pool, Some(&first), &second, id, 12)
        .await
        .expect("second");
    assert!(
        repo::sessions::find_live(&pool, &first, 30)
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        repo::sessions::find_live(&pool, &second, 30)
            .await
            .expect("query")
            .is_some()
    );

    // Idle for 31 minutes: gone.
    sqlx::query(
        "UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = $1",
    )
    .bind(&second)
    .execute(&pool)
    .await
    .expect("age");
    assert!(
        repo::sessions::find_live(&pool, &second, 30)
            .await
            .expect("query")
            .is_none()
    );

    // Past the absolute timeout: gone, however active.
    let (_, third) = session::new_token().expect("token");
    repo::sessions::rotate(&pool, None, &third, id, 12)
        .await
        .expect("third");
    sqlx::query(
        "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
    )
    .bind(&third)
    .execute(&pool)
    .await
    .expect("expire");
    assert!(
        repo::sessions::find_live(&pool, &third, 30)
            .await
            .expect("query")
            .is_none()
    );

    assert_eq!(
        repo::sessions::purge_expired(&pool, 30)
            .await
            .expect("purge"),
        2
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
}

#[tokio::test]
async fn the_shell_reads_the_brand_and_the_holders_unread_messages() {
    let pool = household().await;
    sqlx::query(
        "INSERT INTO messages (customer_id, kind, subject, body, read_at)
         VALUES (1, 'provider', 'a', 'unread', NULL), (1, 'provider', 'b', 'unread', NULL),
                (1, 'provider', 'c', 'read', now()), (2, 'provider', 'd', 'other', NULL)",
    )
    .execute(&pool)
    .await
    .expect("messages");
    let repo::providers::ShellRow {
        brand,
        unread,
        hosting,
    } = repo::providers::brand_and_unread(&pool, 1, Some(1))
        .await
        .expect("shell");
    assert_eq!(unread, 2);
    assert!(!hosting, "no hosting contract in this database");
    assert_eq!(
        brand,
        repo::providers::brand(&pool, 1).await.expect("brand")
    );
    let none = repo::providers::brand_and_unread(&pool, 1, None)
        .await
        .expect("shell without a holder");
    assert_eq!(none.unread, 0);
}
