//! Contract linking (L1–L9): the login's links, linking as holder, deleting a link and
//! "make me holder". Each mutation decides with the domain rules and writes in one
//! transaction, under a lock on the login so that concurrent requests cannot both pass L4.
//! They act on the signed-in login's own links only, so the session is their check; the links
//! themselves are loaded once, with the facts the rules need.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    backend::{flash, password, repo, sms, state::AppState},
    domain::{
        flash::Flash,
        lang::Lang,
        linking::{
            LinkFacts, TARGET_MAX_FAILURES, TARGET_WINDOW_HOURS, decide_delete, decide_holder_link,
            decide_make_me_holder, decide_user_link, pauses_now, target_paused,
        },
        validation::{normalize_code, normalize_phone},
    },
    paths,
};
use crate::{
    domain::{account::ContractStatus, linking::LinkWarning, rights::Role},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry;

/// A contract shown under a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedContract {
    pub contract_number: String,
    pub phone_number: Option<String>,
    pub tariff_name: Option<String>,
    pub status: ContractStatus,
}

/// One link of the login, as the linking page shows it (L1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub link_id: i64,
    pub role: Role,
    pub customer_number: String,
    pub contracts: Vec<LinkedContract>,
    pub warnings: Vec<LinkWarning>,
    /// A holder link whose customer number or one of whose lines had too many wrong proofs
    /// from other logins: linking it is paused until the holder allows it again (issue 24).
    pub paused: bool,
}

/// The linking page: the links and where business customers go (L5, L9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkingOverview {
    pub links: Vec<LinkView>,
    pub business_portal_url: String,
    pub business_registration_url: String,
}

/// Failed proofs allowed per login in `ATTEMPT_WINDOW_MINUTES` before linking pauses (S3).
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// The throttling window.
pub const ATTEMPT_WINDOW_MINUTES: i32 = 15;

/// The kinds of proof counted in `link_attempts`, each against its own targets.
#[cfg(feature = "ssr")]
const CONTRACT_PASSWORD: &str = "contract_password";
#[cfg(feature = "ssr")]
const SMS_CODE: &str = "sms_code";

/// The links of the signed-in login.
#[server(endpoint = "get_links")]
pub async fn get_links() -> Result<LinkingOverview, AppError> {
    entry::login(|state, session| async move {
        let mut conn = state.pool.acquire().await?;
        let links = repo::linking::links_of(&mut conn, session.login_id).await?;
        let (business_portal_url, business_registration_url) =
            repo::linking::business_portal(&mut conn, state.provider_id).await?;
        let mut views = Vec::with_capacity(links.len());
        for entry in links {
            let paused = match &entry.facts {
                LinkFacts::Holder { customer, .. } => {
                    repo::linking::customer_paused(
                        &mut conn,
                        customer.customer_id,
                        TARGET_MAX_FAILURES,
                        TARGET_WINDOW_HOURS,
                    )
                    .await?
                }
                LinkFacts::User { .. } => false,
            };
            views.push(view_of(entry, paused));
        }
        Ok(LinkingOverview {
            links: views,
            business_portal_url,
            business_registration_url,
        })
    })
    .await
}

/// A link as the page shows it: its contracts, its warnings (L7, L9) and whether linking its
/// number is paused.
#[cfg(feature = "ssr")]
fn view_of(entry: repo::linking::LinkEntry, paused: bool) -> LinkView {
    let warnings = crate::domain::linking::warnings(&entry.facts);
    let (link_id, role, contracts) = match entry.facts {
        LinkFacts::Holder { link_id, customer } => (link_id, Role::Holder, customer.contracts),
        LinkFacts::User { link_id, contract } => (link_id, Role::User, vec![contract]),
    };
    LinkView {
        link_id,
        role,
        customer_number: entry.customer_number,
        contracts: contracts
            .into_iter()
            .zip(entry.contract_numbers)
            .map(|(c, contract_number)| LinkedContract {
                contract_number,
                phone_number: c.phone_number,
                tariff_name: c.tariff_name,
                status: c.status,
            })
            .collect(),
        warnings,
        paused,
    }
}

/// `TooManyAttempts` once the login has failed `MAX_FAILED_ATTEMPTS` proofs of `kind` in the
/// window (S3).
#[cfg(feature = "ssr")]
async fn refuse_when_throttled(
    conn: &mut sqlx::PgConnection,
    login_id: i64,
    kind: &str,
) -> Result<(), AppError> {
    let failures =
        repo::linking::recent_failed_attempts(conn, login_id, kind, ATTEMPT_WINDOW_MINUTES).await?;
    if failures >= MAX_FAILED_ATTEMPTS {
        Err(AppError::TooManyAttempts)
    } else {
        Ok(())
    }
}

/// `LinkingPaused` while `target` (a customer number, a normalised phone number) has had too
/// many failed proofs of `kind` from any logins (issue 24 item 4). Asked the same way for
/// numbers that are nobody's, so the pause tells nothing about which numbers exist.
#[cfg(feature = "ssr")]
async fn refuse_when_paused(
    conn: &mut sqlx::PgConnection,
    kind: &str,
    target: &str,
) -> Result<(), AppError> {
    let failures = repo::linking::target_failures(conn, kind, target, TARGET_WINDOW_HOURS).await?;
    if target_paused(failures) {
        Err(AppError::LinkingPaused)
    } else {
        Ok(())
    }
}

/// Records a failed proof of a login against `target`, on its own connection so it counts
/// whatever becomes of the caller's transaction. The failure that pauses a target of a
/// customer puts a notice in that household's inbox, where its holder learns why and how to
/// allow linking again.
#[cfg(feature = "ssr")]
async fn count_failure(
    state: &AppState,
    login_id: i64,
    kind: &'static str,
    target: &str,
    customer_id: Option<i64>,
) -> Result<(), AppError> {
    let failures = repo::linking::record_failed_attempt(
        &state.pool,
        login_id,
        kind,
        Some(target),
        TARGET_WINDOW_HOURS,
    )
    .await?;
    if pauses_now(failures)
        && let Some(customer_id) = customer_id
    {
        tracing::info!(customer_id, kind, "linking paused after repeated failures");
        tell_holder_paused(state, customer_id, kind, target).await?;
    }
    Ok(())
}

/// The inbox notice of a paused target, in the household's language (M2, P4).
#[cfg(feature = "ssr")]
async fn tell_holder_paused(
    state: &AppState,
    customer_id: i64,
    kind: &'static str,
    target: &str,
) -> Result<(), AppError> {
    use crate::i18n::*;
    let mut tx = state.pool.begin().await?;
    let lang = repo::messages::language_of(&mut tx, customer_id).await?;
    let locale = locale_of(lang);
    let (shown, what) = if kind == SMS_CODE {
        (
            crate::domain::format::phone(target),
            td_string!(locale, linking.paused_code),
        )
    } else {
        (
            target.to_string(),
            td_string!(locale, linking.paused_password),
        )
    };
    let subject = format!("{} {shown}", td_string!(locale, linking.paused_subject));
    let body = format!("{what} {}", td_string!(locale, linking.paused_next));
    repo::messages::insert(&mut tx, customer_id, "security", &subject, &body).await?;
    tx.commit().await?;
    Ok(())
}

/// Verifies a contract password of a customer number, counting failures per login and per
/// number (S3, issue 24). Unknown numbers take as long as wrong passwords.
#[cfg(feature = "ssr")]
async fn verify_contract_password(
    conn: &mut sqlx::PgConnection,
    state: &AppState,
    login_id: i64,
    customer_number: &str,
    contract_password: String,
) -> Result<i64, AppError> {
    refuse_when_throttled(conn, login_id, CONTRACT_PASSWORD).await?;
    refuse_when_paused(conn, CONTRACT_PASSWORD, customer_number).await?;
    let found = repo::linking::customer_by_number(conn, state.provider_id, customer_number).await?;
    let stored = found.as_ref().and_then(|(_, hash)| hash.clone());
    let matches = password::verify(contract_password, stored).await?;
    match found {
        Some((customer_id, _)) if matches => Ok(customer_id),
        _ => {
            let customer_id = found.map(|(id, _)| id);
            count_failure(
                state,
                login_id,
                CONTRACT_PASSWORD,
                customer_number,
                customer_id,
            )
            .await?;
            Err(AppError::LinkProofInvalid)
        }
    }
}

/// L3–L7: links the customer number as holder after checking its contract password.
#[server(endpoint = "link_holder")]
pub async fn link_holder(
    customer_number: String,
    contract_password: String,
) -> Result<(), AppError> {
    let typed = customer_number.clone();
    let result = entry::login(|state, session| async move {
        let login_id = session.login_id;
        let customer_number = customer_number.trim().to_string();
        AppError::require_filled(&[
            ("customer_number", &customer_number),
            ("contract_password", &contract_password),
        ])?;
        let mut tx = repo::linking::begin_locked(&state.pool, login_id).await?;
        let customer_id = verify_contract_password(
            &mut tx,
            &state,
            login_id,
            &customer_number,
            contract_password,
        )
        .await?;
        let links = repo::linking::link_facts(&mut tx, login_id).await?;
        let (customer, _, _) = repo::linking::customer_facts(&mut tx, customer_id).await?;
        let plan = decide_holder_link(&links, &customer).map_err(AppError::LinkRefused)?;
        repo::linking::apply_plan(&mut tx, login_id, &plan).await?;
        tx.commit().await?;
        tracing::info!(login_id, customer_id, "holder link created");
        Ok(())
    })
    .await;
    // JavaScript off: the form the browser goes back to keeps the number typed.
    flash::notice_on_error(
        &result,
        Flash::LinkHolderTyped {
            customer_number: typed,
        },
    )
    .await;
    result
}

/// L1: deletes one of the login's links.
#[server(endpoint = "delete_link")]
pub async fn delete_link(link_id: i64) -> Result<(), AppError> {
    entry::login(|state, session| async move {
        let login_id = session.login_id;
        let mut tx = repo::linking::begin_locked(&state.pool, login_id).await?;
        let links = repo::linking::link_facts(&mut tx, login_id).await?;
        // Somebody else's link is "not found", never "forbidden".
        let plan = decide_delete(&links, link_id).map_err(|_| AppError::NotFound)?;
        repo::linking::apply_plan(&mut tx, login_id, &plan).await?;
        tx.commit().await?;
        tracing::info!(login_id, link_id, "link deleted");
        flash::notice(&state, Flash::LinkDeleted).await;
        Ok(())
    })
    .await
}

/// L8: turns a user link into a holder link on its customer number, both steps or none. The
/// contract password proves the number, as for any holder link (L3).
#[server(endpoint = "make_me_holder")]
pub async fn make_me_holder(link_id: i64, contract_password: String) -> Result<(), AppError> {
    entry::login(|state, session| async move {
        let login_id = session.login_id;
        AppError::require_filled(&[("contract_password", &contract_password)])?;
        let mut tx = repo::linking::begin_locked(&state.pool, login_id).await?;
        let links = repo::linking::links_of(&mut tx, login_id).await?;
        let Some(repo::linking::LinkEntry {
            facts: LinkFacts::User { contract, .. },
            customer_number,
            ..
        }) = links.iter().find(|entry| entry.facts.link_id() == link_id)
        else {
            return Err(AppError::NotFound);
        };
        let customer_number = customer_number.clone();
        let customer_id = contract.customer_id;
        verify_contract_password(
            &mut tx,
            &state,
            login_id,
            &customer_number,
            contract_password,
        )
        .await?;
        let facts: Vec<LinkFacts> = links.into_iter().map(|entry| entry.facts).collect();
        let (customer, _, _) = repo::linking::customer_facts(&mut tx, customer_id).await?;
        let plan =
            decide_make_me_holder(&facts, link_id, &customer).map_err(AppError::LinkRefused)?;
        repo::linking::apply_plan(&mut tx, login_id, &plan).await?;
        tx.commit().await?;
        tracing::info!(login_id, customer_id, "user link turned into holder link");
        Ok(())
    })
    .await
}

/// Issue 24 item 4: the holder allows linking of the customer number and its lines again after
/// a pause (wrong proofs from other logins). Only through one of the login's own holder links.
#[server(endpoint = "resume_linking")]
pub async fn resume_linking(link_id: i64) -> Result<(), AppError> {
    entry::login(|state, session| async move {
        let login_id = session.login_id;
        let mut tx = repo::linking::begin_locked(&state.pool, login_id).await?;
        let links = repo::linking::link_facts(&mut tx, login_id).await?;
        // A user link, or somebody else's link, is "not found".
        let Some(LinkFacts::Holder { customer, .. }) =
            links.iter().find(|facts| facts.link_id() == link_id)
        else {
            return Err(AppError::NotFound);
        };
        let customer_id = customer.customer_id;
        let released = repo::linking::release_customer(&mut tx, customer_id).await?;
        tx.commit().await?;
        tracing::info!(
            login_id,
            customer_id,
            released,
            "linking resumed by the holder"
        );
        flash::notice(&state, Flash::LinkingResumed).await;
        Ok(())
    })
    .await
}

/// The answer to a code request: where the code went, for the page to say so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRequested {
    /// The number as normalised (`+<digits>`), to be sent back with the code.
    pub phone_number: String,
}

/// "User links": sends a one-time code by SMS to the phone number of a contract, for a user
/// link. The rules of `decide_user_link` are checked first, so a business or inactive contract
/// is refused before any SMS goes out (L5). A number that belongs to no contract gets the same
/// answer as one that does (nothing tells a stranger which numbers are customers), but counts
/// as a failed attempt, so probing numbers is throttled like guessing codes.
#[server(endpoint = "request_link_code")]
pub async fn request_link_code(phone_number: String) -> Result<CodeRequested, AppError> {
    entry::login(|state, session| async move {
        let login_id = session.login_id;
        let phone_number = normalize_phone(&phone_number)
            .map_err(|problem| AppError::field("phone_number", problem))?;
        let mut tx = repo::linking::begin_locked(&state.pool, login_id).await?;
        refuse_when_throttled(&mut tx, login_id, SMS_CODE).await?;
        refuse_when_paused(&mut tx, SMS_CODE, &phone_number).await?;
        let requests =
            repo::linking::recent_code_requests(&mut tx, login_id, ATTEMPT_WINDOW_MINUTES).await?;
        if requests >= sms::MAX_CODE_REQUESTS {
            return Err(AppError::TooManyAttempts);
        }
        let answer = CodeRequested {
            phone_number: phone_number.clone(),
        };
        let Some(contract_id) =
            repo::linking::contract_by_phone(&mut tx, state.provider_id, &phone_number).await?
        else {
            drop(tx);
            // Per login only: a request guesses no code, so it counts against no line.
            repo::linking::record_failed_attempt(&state.pool, login_id, SMS_CODE, None, 0).await?;
            tracing::info!(login_id, "link code requested for an unknown number");
            flash::notice(
                &state,
                Flash::LinkCodeSent {
                    phone: phone_number,
                },
            )
            .await;
            return Ok(answer);
        };
        let links = repo::linking::link_facts(&mut tx, login_id).await?;
        let (contract, _, _) = repo::linking::contract_facts_by_id(&mut tx, contract_id).await?;
        if let Err(refusal) = decide_user_link(&links, &contract) {
            // The refusal says why (L5), but it also tells that the number is ours: it
            // counts as an attempt, behind the same throttle as unknown numbers (issue 24).
            drop(tx);
            repo::linking::record_failed_attempt(&state.pool, login_id, SMS_CODE, None, 0).await?;
            tracing::info!(login_id, ?refusal, "link code refused");
            return Err(AppError::LinkRefused(refusal));
        }
        // The SMS is in the language of the login asking for it (P4).
        let language = Lang::parse(&session.language).unwrap_or(paths::DEFAULT_LANG);
        let (code, hash) = sms::new_code()?;
        repo::linking::create_code(
            &mut tx,
            login_id,
            contract_id,
            &hash,
            sms::CODE_TTL_MINUTES,
            language,
            &sms::code_text(language, &code),
        )
        .await?;
        tx.commit().await?;
        state.sms_outbox.notify_one();
        tracing::info!(login_id, contract_id, "link code queued");
        flash::notice(
            &state,
            Flash::LinkCodeSent {
                phone: phone_number,
            },
        )
        .await;
        Ok(answer)
    })
    .await
}

/// "User links": checks the code sent to the phone number and creates the user link, in one
/// transaction. A wrong code counts against the code (5 entries) and the login (throttling).
#[server(endpoint = "confirm_link_code")]
pub async fn confirm_link_code(phone_number: String, code: String) -> Result<(), AppError> {
    let posted_phone = phone_number.clone();
    let result = entry::login(|state, session| async move {
        let login_id = session.login_id;
        let phone = normalize_phone(&phone_number);
        let typed = normalize_code(&code);
        AppError::check_fields([
            ("phone_number", phone.as_ref().err().copied()),
            ("code", typed.as_ref().err().copied()),
        ])?;
        let (Ok(phone_number), Ok(typed)) = (phone, typed) else {
            return Err(AppError::internal(
                "a field check_fields passed did not parse",
            ));
        };
        let mut tx = repo::linking::begin_locked(&state.pool, login_id).await?;
        refuse_when_throttled(&mut tx, login_id, SMS_CODE).await?;
        refuse_when_paused(&mut tx, SMS_CODE, &phone_number).await?;
        let contract_id =
            repo::linking::contract_by_phone(&mut tx, state.provider_id, &phone_number).await?;
        let live = match contract_id {
            Some(contract_id) => {
                repo::linking::live_code(&mut tx, login_id, contract_id, sms::CODE_MAX_ATTEMPTS)
                    .await?
            }
            None => None,
        };
        let matches = live
            .as_ref()
            .is_some_and(|(_, hash)| sms::same_hash(hash, &sms::hash_code(&typed)));
        let live_id = live.map(|(id, _)| id);
        let (Some(contract_id), Some(code_id), true) = (contract_id, live_id, matches) else {
            let customer_id = match contract_id {
                Some(contract_id) => {
                    Some(repo::linking::customer_of_contract(&mut tx, contract_id).await?)
                }
                None => None,
            };
            drop(tx);
            if let Some(code_id) = live_id {
                repo::linking::count_code_attempt(&state.pool, code_id).await?;
            }
            count_failure(&state, login_id, SMS_CODE, &phone_number, customer_id).await?;
            return Err(AppError::LinkCodeInvalid);
        };
        if !repo::linking::use_code(&mut tx, code_id).await? {
            return Err(AppError::LinkCodeInvalid);
        }
        let links = repo::linking::link_facts(&mut tx, login_id).await?;
        let (contract, _, _) = repo::linking::contract_facts_by_id(&mut tx, contract_id).await?;
        let plan = decide_user_link(&links, &contract).map_err(AppError::LinkRefused)?;
        repo::linking::apply_plan(&mut tx, login_id, &plan).await?;
        tx.commit().await?;
        tracing::info!(login_id, contract_id, "user link created");
        Ok(())
    })
    .await;
    // JavaScript off: the page the browser goes back to shows the code step again, with the
    // error, instead of the empty "send code" form.
    flash::notice_on_error(
        &result,
        Flash::LinkCodeStep {
            phone: posted_phone,
        },
    )
    .await;
    result
}
