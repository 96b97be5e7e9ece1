//! Settings below each product (H4): consumption alerts and the move request.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use rust_decimal::Decimal;

use super::products::{Notice, ProductsContext};
use crate::{
    api::products::{AlertView, CancelMove, DeleteAlert, MoveView, RequestMove, SaveAlert},
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, problem_message, shown_error},
        locale::use_lang,
        money::DateText,
    },
    domain::{
        account::{AlertMetric, MoveStatus},
        format,
    },
    error::AppError,
    i18n::*,
    paths,
};

/// The name of what an alert or a meter watches, as plain text.
pub fn metric_text(i18n: I18nContext<Locale>, metric: AlertMetric) -> String {
    match metric {
        AlertMetric::Data => t_string!(i18n, settings.metric_data).to_string(),
        AlertMetric::Minutes => t_string!(i18n, settings.metric_minutes).to_string(),
        AlertMetric::Spend => t_string!(i18n, settings.metric_spend).to_string(),
    }
}

/// The name of what an alert or a meter watches.
#[component]
pub fn MetricName(metric: AlertMetric) -> impl IntoView {
    let i18n = use_i18n();
    move || metric_text(i18n, metric)
}

/// A threshold in its unit: `8 GB`, `300 min`, `25,00 €`.
fn threshold_text(
    i18n: I18nContext<Locale>,
    metric: AlertMetric,
    value: Decimal,
    currency: &str,
) -> String {
    let lang = crate::i18n::lang_of(i18n.get_locale());
    match metric {
        AlertMetric::Data => format!("{} GB", format::number(value, 1, lang)),
        AlertMetric::Minutes => format!(
            "{} {}",
            format::number(value, 0, lang),
            t_string!(i18n, usage.unit_min)
        ),
        AlertMetric::Spend => format::money(value, currency, lang),
    }
}

/// Runs `settle` on the products context whenever `action` answers.
fn settle_on<S>(action: FormAction<S>, notice: Notice)
where
    S: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let context = expect_context::<ProductsContext>();
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            context.settle(&result, |_| notice.clone());
        }
    });
}

/// The alerts of a line and the form to set one (H4).
#[component]
pub fn AlertSettings(
    contract_number: String,
    metrics: Vec<AlertMetric>,
    alerts: Vec<AlertView>,
    currency: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = FormAction::<SaveAlert>::new();
    let remove = FormAction::<DeleteAlert>::new();
    settle_on(save, Notice::AlertSaved);
    settle_on(remove, Notice::AlertRemoved);
    let error = shown_error(save);
    let remove_error = shown_error(remove);
    let metric_id = format!("alert-metric-{contract_number}");
    let threshold_id = format!("alert-threshold-{contract_number}");
    let metric_problem = move || error.get().and_then(|e| e.problem_for("metric"));
    let list = alerts
        .into_iter()
        .map(|alert| {
            let currency = currency.clone();
            let contract_number = contract_number.clone();
            view! {
                <li class="alert-setting" data-testid="alert-setting">
                    <span>
                        <MetricName metric=alert.metric /> ": " {t!(i18n, settings.alert_at)} " "
                        {move || threshold_text(i18n, alert.metric, alert.threshold, &currency)}
                    </span>
                    {alert.fired.then(|| view! { <span class="badge badge-info">{t!(i18n, settings.alert_sent)}</span> })}
                    <ActionForm action=remove attr:class="inline-form">
                        <input type="hidden" name="contract_number" value=contract_number.clone() />
                        <input type="hidden" name="metric" value=alert.metric.as_str() />
                        <button type="submit" class="btn btn-link">
                            {t!(i18n, settings.alert_remove)}
                            <span class="visually-hidden">" " <MetricName metric=alert.metric /></span>
                        </button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="product-part" aria-label=move || t_string!(i18n, settings.alerts).to_string()>
            <h4>{t!(i18n, settings.alerts)}</h4>
            <p class="part-note">{t!(i18n, settings.alerts_intro)}</p>
            <FormAlert error=remove_error />
            <ul class="alert-settings">{list}</ul>
            <ActionForm action=save attr:class="inline-fields" attr:novalidate=true>
                <FormAlert error />
                <input type="hidden" name="contract_number" value=contract_number.clone() />
                <div class="field" class:field-invalid=move || metric_problem().is_some()>
                    <label for=metric_id.clone()>{t!(i18n, settings.alert_metric)}</label>
                    <select id=metric_id.clone() name="metric">
                        {metrics
                            .into_iter()
                            .map(|m| view! { <option value=m.as_str()><MetricName metric=m /></option> })
                            .collect_view()}
                    </select>
                    {move || metric_problem().map(|p| view! { <p class="field-error">{problem_message(p)}</p> })}
                </div>
                <Field id=threshold_id name="threshold" autocomplete="off" inputmode="decimal" error>
                    {t!(i18n, settings.alert_value)}
                </Field>
                <button type="submit" class="btn btn-outline" data-testid="save-alert">
                    {t!(i18n, settings.alert_save)}
                </button>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// The translated status of a move request.
#[component]
fn MoveStatusText(status: MoveStatus) -> impl IntoView {
    let i18n = use_i18n();
    move || match status {
        MoveStatus::Requested => t_string!(i18n, settings.move_requested),
        MoveStatus::Confirmed => t_string!(i18n, settings.move_confirmed),
        MoveStatus::Completed => t_string!(i18n, settings.move_completed),
        MoveStatus::Cancelled => t_string!(i18n, settings.move_cancelled),
    }
}

/// The open move request of a line with its status, or the form to request one (H4).
#[component]
pub fn MoveSettings(contract_number: String, open_move: Option<MoveView>) -> impl IntoView {
    let i18n = use_i18n();
    let content = match open_move {
        Some(request) => view! { <OpenMove contract_number request /> }.into_any(),
        None => view! { <MoveForm contract_number /> }.into_any(),
    };
    view! {
        <section class="product-part" aria-label=move || t_string!(i18n, settings.move_title).to_string()>
            <h4>{t!(i18n, settings.move_title)}</h4>
            {content}
        </section>
    }
    .into_any()
}

#[component]
fn OpenMove(contract_number: String, request: MoveView) -> impl IntoView {
    let i18n = use_i18n();
    let cancel = FormAction::<CancelMove>::new();
    settle_on(cancel, Notice::MoveWithdrawn);
    let error = shown_error(cancel);
    let status = request.status;
    let lang = use_lang();
    let move_id = request.id;
    // A move needs a technician at the new address (A-tab): its appointment, or the way there.
    let installation = match request.installation_on {
        Some(day) => view! {
            <dt>{t!(i18n, settings.move_installation)}</dt>
            <dd data-testid="move-installation"><DateText day /></dd>
        }
        .into_any(),
        None => view! {
            <dt>{t!(i18n, settings.move_installation)}</dt>
            <dd>
                <a
                    href=move || format!("{}?move={move_id}", paths::localized(lang.get(), paths::APPOINTMENT))
                    data-testid="book-installation"
                >
                    {t!(i18n, settings.move_book_installation)}
                </a>
            </dd>
        }
        .into_any(),
    };
    view! {
        <dl class="pairs" data-testid="move-request">
            <dt>{t!(i18n, settings.move_to)}</dt>
            <dd>{format!("{}, {} {}", request.street, request.postal_code, request.city)}</dd>
            <dt>{t!(i18n, settings.move_date)}</dt>
            <dd><DateText day=request.wished_date /></dd>
            <dt>{t!(i18n, settings.move_status)}</dt>
            <dd>
                <span class=format!("badge badge-{}", status.as_str()) data-testid="move-status">
                    <MoveStatusText status />
                </span>
                " " <span class="part-note">{t!(i18n, settings.move_requested_on)} " " <DateText day=request.requested_on /></span>
            </dd>
            {installation}
        </dl>
        {(status == MoveStatus::Requested)
            .then(|| {
                view! {
                    <ActionForm action=cancel attr:class="stack">
                        <FormAlert error />
                        <input type="hidden" name="contract_number" value=contract_number.clone() />
                        <button type="submit" class="btn btn-outline" data-testid="cancel-move">
                            {t!(i18n, settings.move_cancel)}
                        </button>
                    </ActionForm>
                }
            })}
    }
    .into_any()
}

#[component]
fn MoveForm(contract_number: String) -> impl IntoView {
    let i18n = use_i18n();
    let request = FormAction::<RequestMove>::new();
    settle_on(request, Notice::MoveSent);
    let error = shown_error(request);
    let ids = ["street", "postal-code", "city", "date"]
        .map(|part| format!("move-{part}-{contract_number}"));
    let [street_id, postal_id, city_id, date_id] = ids;
    view! {
        <details class="move-request" data-testid="move-form">
            <summary class="btn btn-outline btn-small">{t!(i18n, settings.move_request)}</summary>
            <p class="part-note">{t!(i18n, settings.move_intro)}</p>
            <ActionForm action=request attr:class="stack" attr:novalidate=true>
                <FormAlert error />
                <input type="hidden" name="contract_number" value=contract_number.clone() />
                <Field id=street_id name="street" autocomplete="street-address" error>
                    {t!(i18n, settings.move_street)}
                </Field>
                <Field id=postal_id name="postal_code" autocomplete="postal-code" error>
                    {t!(i18n, settings.move_postal_code)}
                </Field>
                <Field id=city_id name="city" autocomplete="address-level2" error>
                    {t!(i18n, settings.move_city)}
                </Field>
                <Field
                    id=date_id
                    name="wished_date"
                    input_type="date"
                    autocomplete="off"
                    error
                    hint=ViewFn::from(move || t!(i18n, settings.move_date_hint))
                >
                    {t!(i18n, settings.move_date)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="request-move">
                    {t!(i18n, settings.move_submit)}
                </button>
            </ActionForm>
        </details>
    }
    .into_any()
}
