//! Services → My services → a service → "Upgrade/downgrade options" (X1–X4).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::hosting::{
        ConfirmUpgrade, OptionView, QuoteAnswer, QuoteUpgrade, ScheduleDowngrade, ServiceView,
        WithdrawDowngrade, get_service, get_services, quote_upgrade,
    },
    components::{
        action_form::{ActionForm, FormAction},
        flash::UpgradeDone,
        form::{FormAlert, SuccessNotice, shown_error},
        locale::{use_lang, use_localized},
        money::{DateText, Money},
        page_error::PageError,
    },
    domain::billing::upgrade::{Configuration, UpgradeQuote, UpgradeRefusal},
    error::AppError,
    i18n::*,
    page_data::page_data,
    paths,
};

/// "My services": the holder's hosting services with their status.
#[component]
pub fn ServicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let services = page_data(|| (), |_| get_services());
    let content = move || {
        Suspend::new(async move {
            match services.await {
                Ok(list) if list.is_empty() => {
                    view! { <p class="card" data-testid="no-services">{t!(i18n, services.none)}</p> }
                        .into_any()
                }
                Ok(list) => view! {
                    <div class="table-scroll card" tabindex="0" role="region" aria-labelledby="services-title">
                        <table class="data-table" data-testid="services">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, services.hostname)}</th>
                                    <th scope="col">{t!(i18n, services.plan)}</th>
                                    <th scope="col">{t!(i18n, services.status)}</th>
                                    <th scope="col">{t!(i18n, services.term)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|s| {
                                        let href = move || {
                                            paths::localized(lang.get(), &format!("/services/{}", s.contract_id))
                                        };
                                        view! {
                                            <tr data-testid="service-row">
                                                <th scope="row">
                                                    {if s.active {
                                                        view! { <a href=href>{s.hostname.clone()}</a> }.into_any()
                                                    } else {
                                                        view! { {s.hostname.clone()} }.into_any()
                                                    }}
                                                    <span class="invoice-kind">{s.contract_number.clone()}</span>
                                                </th>
                                                <td>{s.tariff_name.clone()}</td>
                                                <td>
                                                    {if s.active {
                                                        t!(i18n, services.active).into_any()
                                                    } else {
                                                        t!(i18n, services.inactive).into_any()
                                                    }}
                                                </td>
                                                <td><DateText day=s.term_end /></td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, services.title).to_string()) />
        <div class="page">
            <h1 id="services-title">{t!(i18n, services.title)}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{content}</Suspense>
        </div>
    }
}

/// `/services/{id}` (overview) and `/services/{id}/options`.
#[component]
pub fn ServicePage(#[prop(optional)] options: bool) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|id| id.parse::<i64>().ok());
    let confirm = FormAction::<ConfirmUpgrade>::new();
    let schedule = FormAction::<ScheduleDowngrade>::new();
    let withdraw = FormAction::<WithdrawDowngrade>::new();
    let changes = RwSignal::new(0_u32);
    // The configuration of the last confirmation sent: when it comes back stale (another tab
    // confirmed first, X4), the reloaded table quotes it again against the current version.
    let last_confirmed = RwSignal::new(None::<Configuration>);
    Effect::new(move |_| {
        let done = matches!(
            confirm.value().get(),
            Some(Ok(_)) | Some(Err(AppError::Stale))
        ) || matches!(schedule.value().get(), Some(Ok(_)))
            || matches!(withdraw.value().get(), Some(Ok(_)));
        if done {
            changes.update(|n| *n += 1);
        }
    });
    // The configuration "Continue" asked for, in the address: the form is a GET form, so that
    // without JavaScript the quote is a page of its own (X2, P6); with it, it quotes in place.
    let query = use_query_map();
    let asked = move || {
        options
            .then(|| asked_configuration(&query.read()))
            .flatten()
    };
    let service = page_data(
        move || (id(), lang.get(), changes.get(), asked()),
        |(id, lang, _, asked)| async move {
            let Some(id) = id else {
                return Err(AppError::NotFound);
            };
            let service = get_service(id, lang.code().to_string()).await?;
            let quoted = match asked {
                Some(config) => {
                    let answer = quote_upgrade(id, service.version, config.clone()).await;
                    Some((config, answer))
                }
                None => None,
            };
            Ok((service, quoted))
        },
    );
    let back = use_localized(paths::SERVICES);
    let content = move || {
        Suspend::new(async move {
            match service.await {
                Ok((s, quoted)) => {
                    let base = format!("/services/{}", s.contract_id);
                    let overview_href = {
                        let base = base.clone();
                        move || paths::localized(lang.get(), &base)
                    };
                    let options_href =
                        move || paths::localized(lang.get(), &format!("{base}/options"));
                    let body = if options {
                        view! {
                            <OptionsSection service=s.clone() quoted confirm schedule last_confirmed />
                        }
                        .into_any()
                    } else {
                        view! { <Overview service=s.clone() withdraw /> }.into_any()
                    };
                    view! {
                        <h1>{s.hostname.clone()}</h1>
                        <div class="service-layout">
                            <nav class="side-menu" aria-label=move || t_string!(i18n, services.menu).to_string()>
                                <ul>
                                    <li>
                                        <a href=overview_href aria-current=(!options).then_some("page")>
                                            {t!(i18n, services.overview)}
                                        </a>
                                    </li>
                                    <li>
                                        <a href=options_href aria-current=options.then_some("page") data-testid="options-link">
                                            {t!(i18n, services.options_menu)}
                                        </a>
                                    </li>
                                </ul>
                            </nav>
                            <div class="service-main">{body}</div>
                        </div>
                    }
                    .into_any()
                }
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, services.title).to_string()) />
        <div class="page">
            <p><a href=back>{t!(i18n, services.title)}</a></p>
            <SuccessNotice
                testid="downgrade-scheduled"
                message=move || {
                    match schedule.value().get() {
                        Some(Ok(day)) => Some(view! {
                            {t!(i18n, services.scheduled)} " " <DateText day />
                        }.into_any()),
                        _ => None,
                    }
                }
            />
            <SuccessNotice
                testid="downgrade-withdrawn"
                message=move || {
                    matches!(withdraw.value().get(), Some(Ok(())))
                        .then(|| t!(i18n, services.withdrawn).into_any())
                }
            />
            <SuccessNotice
                testid="upgrade-confirmed"
                message=move || {
                    match confirm.value().get() {
                        Some(Ok(done)) => Some(view! {
                            <UpgradeDone invoice_number=done.invoice_number paid=done.paid />
                        }.into_any()),
                        _ => None,
                    }
                }
            />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{content}</Suspense>
        </div>
    }
}

/// The configuration in a quote's address (`?ram=8&cpu=2&disk=50`): every parameter with a
/// whole number, `None` without any. The server checks it against the tariff's options.
fn asked_configuration(query: &leptos_router::params::ParamsMap) -> Option<Configuration> {
    let config: Configuration = query
        .into_iter()
        .filter(|(key, _)| !key.starts_with("__"))
        .filter_map(|(key, value)| Some((key.to_string(), value.parse::<i64>().ok()?)))
        .collect();
    (!config.is_empty()).then_some(config)
}

fn value_text(option: &OptionView, value: i64) -> String {
    format!("{value} {}", option.unit)
}

#[component]
fn Overview(service: ServiceView, withdraw: FormAction<WithdrawDowngrade>) -> impl IntoView {
    let i18n = use_i18n();
    let error = shown_error(withdraw);
    let price = service.offer.current_price().unwrap_or_default();
    let scheduled = service.scheduled.clone().map(|c| {
        let changes = service
            .options
            .iter()
            .filter_map(|o| {
                c.config
                    .get(&o.code)
                    .filter(|v| **v != o.current)
                    .map(|v| format!("{}: {} → {}", o.name, value_text(o, o.current), value_text(o, *v)))
            })
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <div class="alert alert-info stack" data-testid="scheduled-change">
                <p>
                    {t!(i18n, services.scheduled)} " " <DateText day=c.effective_on /> ": " {changes}
                    " · " <Money amount=c.new_price currency=service.currency.clone() />
                </p>
                <ActionForm action=withdraw>
                    <FormAlert error />
                    <input type="hidden" name="contract_id" value=service.contract_id.to_string() />
                    <input type="hidden" name="change_id" value=c.id.to_string() />
                    <button type="submit" class="btn btn-outline" data-testid="withdraw-downgrade">
                        {t!(i18n, services.withdraw)}
                    </button>
                </ActionForm>
            </div>
        }
    });
    view! {
        <section class="card" aria-labelledby="service-config">
            <h2 id="service-config">{t!(i18n, services.configuration)}</h2>
            <dl class="pairs">
                <dt>{t!(i18n, services.contract)}</dt>
                <dd>{service.contract_number.clone()}</dd>
                <dt>{t!(i18n, services.plan)}</dt>
                <dd>{service.tariff_name.clone()}</dd>
                <dt>{t!(i18n, services.term)}</dt>
                <dd><DateText day=service.term.0 /> " – " <DateText day=service.term.1 /></dd>
                {service
                    .options
                    .iter()
                    .map(|o| view! { <dt>{o.name.clone()}</dt><dd>{value_text(o, o.current)}</dd> })
                    .collect_view()}
                <dt>{t!(i18n, services.term_price)}</dt>
                <dd data-testid="config-price"><Money amount=price currency=service.currency.clone() /></dd>
            </dl>
            {scheduled}
        </section>
    }
    .into_any()
}

#[component]
fn OptionsSection(
    service: ServiceView,
    /// The quote of the configuration in the address (a "Continue" without JavaScript).
    quoted: Option<(Configuration, Result<QuoteAnswer, AppError>)>,
    confirm: FormAction<ConfirmUpgrade>,
    schedule: FormAction<ScheduleDowngrade>,
    last_confirmed: RwSignal<Option<Configuration>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if !service.upgradable || service.options.is_empty() || !service.active {
        return view! {
            <section class="card stack" data-testid="not-upgradable">
                <p>{t!(i18n, services.not_upgradable)}</p>
                <p><a href=service.sales_url.clone() rel="external" class="btn btn-outline">{t!(i18n, services.sales)}</a></p>
            </section>
        }
        .into_any();
    }
    let quote = ServerAction::<QuoteUpgrade>::new();
    let (asked, asked_answer) = quoted.map_or((None, None), |(c, a)| (Some(c), Some(a)));
    // The answer shown: the one quoted in place, else the one of the address until a change was
    // confirmed or scheduled in place (that quote is spent then).
    let answer = move || {
        let spent = matches!(confirm.value().get(), Some(Ok(_)))
            || matches!(schedule.value().get(), Some(Ok(_)));
        quote
            .value()
            .get()
            .or_else(|| asked_answer.clone().filter(|_| !spent))
    };
    let quote_error = {
        let answer = answer.clone();
        Signal::derive(move || {
            answer()
                .and_then(Result::err)
                .filter(|e| *e != AppError::Stale)
        })
    };
    // A new "Continue" hides the outcome of an earlier confirmation.
    Effect::new(move |_| {
        if quote.pending().get() {
            confirm.value().set(None);
            schedule.value().set(None);
        }
    });
    // Reloaded after a stale confirmation: say so, and quote the same choice afresh.
    let stale = matches!(confirm.value().get_untracked(), Some(Err(AppError::Stale)));
    let requote = stale.then(|| last_confirmed.get_untracked()).flatten();
    let start_with = requote.clone().or(asked);
    let chosen: Vec<(String, RwSignal<i64>)> = service
        .options
        .iter()
        .map(|o| {
            let start = start_with
                .as_ref()
                .and_then(|c| c.get(&o.code).copied())
                .unwrap_or(o.current);
            (o.code.clone(), RwSignal::new(start))
        })
        .collect();
    if let Some(config) = requote.clone() {
        let (contract_id, version) = (service.contract_id, service.version);
        Effect::new(move |_| {
            untrack(|| {
                quote.dispatch(QuoteUpgrade {
                    contract_id,
                    version,
                    config: config.clone(),
                });
            });
        });
    }
    let stale_notice = stale.then(|| {
        view! {
            <p class="alert alert-error" role="alert" data-testid="stale-quote">
                {t!(i18n, errors.stale)}
            </p>
        }
    });
    let config = {
        let chosen = chosen.clone();
        move || -> Configuration { chosen.iter().map(|(c, s)| (c.clone(), s.get())).collect() }
    };
    // With JavaScript the quote comes in place, without leaving the page.
    let on_continue = {
        let config = config.clone();
        let (contract_id, version) = (service.contract_id, service.version);
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            quote.dispatch(QuoteUpgrade {
                contract_id,
                version,
                config: config(),
            });
        }
    };
    let estimate = {
        let service = service.clone();
        let config = config.clone();
        move || service.offer.decide(&config(), service.today)
    };
    let rows = service
        .options
        .iter()
        .zip(chosen.iter().map(|(_, s)| *s))
        .map(|(o, signal)| {
            let select_id = format!("option-{}", o.code);
            let choices = o
                .values
                .iter()
                .map(|(value, price)| {
                    let value = *value;
                    view! {
                        <option value=value.to_string() selected=value == signal.get_untracked()>
                            {value_text(o, value)} " · "
                            <Money amount=*price currency=service.currency.clone() />
                        </option>
                    }
                })
                .collect_view();
            view! {
                <tr data-testid="option-row" data-code=o.code.clone()>
                    <th scope="row"><label for=select_id.clone()>{o.name.clone()}</label></th>
                    <td data-testid="current-value">{value_text(o, o.current)}</td>
                    <td>
                        <select
                            id=select_id
                            name=o.code.clone()
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                                    signal.set(v);
                                }
                            }
                        >
                            {choices}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let currency = service.currency.clone();
    view! {
        <section class="card stack" aria-labelledby="options-title">
            <h2 id="options-title">{t!(i18n, services.options_menu)}</h2>
            {stale_notice}
            <form method="get" class="stack" on:submit=on_continue>
                <FormAlert error=quote_error field="config" />
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="options-title">
                    <table class="data-table" data-testid="options-table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, services.option)}</th>
                                <th scope="col">{t!(i18n, services.current)}</th>
                                <th scope="col">{t!(i18n, services.new)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <p aria-live="polite" data-testid="instant-estimate">
                    {move || match estimate() {
                        Ok(q) => view! {
                            {t!(i18n, services.estimate)} ": " {t!(i18n, services.net)} " "
                            <Money amount=q.net.amount() currency=currency.clone() />
                            " (" <Money amount=q.charge.amount() currency=currency.clone() /> " − "
                            <Money amount=q.credit.amount() currency=currency.clone() /> ")"
                        }
                        .into_any(),
                        Err(UpgradeRefusal::DowngradeInTerm { renewal }) => view! {
                            {t!(i18n, services.downgrade_refused)} " " <DateText day=renewal />
                        }
                        .into_any(),
                        Err(_) => ().into_any(),
                    }}
                </p>
                <button type="submit" class="btn btn-primary" data-testid="continue">
                    {t!(i18n, services.proceed)}
                </button>
            </form>
            {move || {
                let confirmed = matches!(confirm.value().get(), Some(Ok(_)));
                match answer() {
                    Some(Ok(QuoteAnswer::Upgrade { quote, config, version, idempotency_key })) if !confirmed => {
                        view! {
                            <Surcharge
                                service=service.clone()
                                quote
                                config
                                version
                                idempotency_key
                                confirm
                                last_confirmed
                            />
                        }
                        .into_any()
                    }
                    Some(Ok(QuoteAnswer::Downgrade { renewal, config, version, .. })) => {
                        view! { <ScheduleForm service=service.clone() renewal config version schedule /> }
                            .into_any()
                    }
                    _ => ().into_any(),
                }
            }}
        </section>
    }
    .into_any()
}

fn config_inputs(config: &Configuration) -> impl IntoView + use<> {
    config
        .iter()
        .map(|(code, value)| {
            view! { <input type="hidden" name=format!("config[{code}]") value=value.to_string() /> }
        })
        .collect_view()
}

#[component]
fn Surcharge(
    service: ServiceView,
    quote: UpgradeQuote,
    config: Configuration,
    version: i32,
    idempotency_key: String,
    confirm: FormAction<ConfirmUpgrade>,
    last_confirmed: RwSignal<Option<Configuration>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = shown_error(confirm);
    let currency = service.currency.clone();
    // Requoted when the confirmation comes back stale (another tab confirmed first, X4).
    let submitted = config.clone();
    view! {
        <section class="surcharge stack" aria-labelledby="surcharge-title" data-testid="surcharge">
            <h3 id="surcharge-title">{t!(i18n, services.surcharge)}</h3>
            <dl class="pairs">
                <dt>{t!(i18n, services.days_remaining)}</dt>
                <dd data-testid="days">{quote.days_remaining} " " {t!(i18n, services.of)} " " {quote.days_total}</dd>
                <dt>{t!(i18n, services.charge)}</dt>
                <dd data-testid="charge"><Money amount=quote.charge.amount() currency=currency.clone() /></dd>
                <dt>{t!(i18n, services.credit)}</dt>
                <dd data-testid="credit"><Money amount=-quote.credit.amount() currency=currency.clone() /></dd>
                <dt>{t!(i18n, services.net)}</dt>
                <dd data-testid="net"><strong><Money amount=quote.net.amount() currency=currency.clone() /></strong></dd>
                <dt>{t!(i18n, services.term_end)}</dt>
                <dd><DateText day=quote.term_end /></dd>
            </dl>
            <ActionForm
                action=confirm
                attr:class="stack"
                on:submit=move |_| last_confirmed.set(Some(submitted.clone()))
            >
                <FormAlert error field="config" />
                <input type="hidden" name="contract_id" value=service.contract_id.to_string() />
                <input type="hidden" name="version" value=version.to_string() />
                <input type="hidden" name="idempotency_key" value=idempotency_key />
                {config_inputs(&config)}
                <button type="submit" class="btn btn-primary" data-testid="confirm-upgrade">
                    {t!(i18n, services.confirm)}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ScheduleForm(
    service: ServiceView,
    renewal: chrono::NaiveDate,
    config: Configuration,
    version: i32,
    schedule: FormAction<ScheduleDowngrade>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = shown_error(schedule);
    view! {
        <section class="surcharge stack" data-testid="downgrade-refused">
            <p class="alert alert-warning">
                {t!(i18n, services.downgrade_refused)} " " <DateText day=renewal />
            </p>
            <ActionForm action=schedule attr:class="stack">
                <FormAlert error field="config" />
                <input type="hidden" name="contract_id" value=service.contract_id.to_string() />
                <input type="hidden" name="version" value=version.to_string() />
                {config_inputs(&config)}
                <button type="submit" class="btn btn-outline" data-testid="schedule-downgrade">
                    {t!(i18n, services.schedule)}
                </button>
            </ActionForm>
        </section>
    }
}
