//! The products on Home (H2, H3): each line with its usage this cycle against its allowance and
//! its options; the confirm step of an option shows the monthly price and the prorated amount
//! for the next invoice before anything is written.

use leptos::prelude::*;
use rust_decimal::Decimal;

use super::{
    account_overview::{ContractStatusText, ServiceName},
    settings::{AlertSettings, MetricName, MoveSettings, metric_text},
};
use crate::{
    api::products::{ChangeOption, OptionChanged, OptionOffer, Product, Products},
    components::{
        action_form::{ActionForm, FormAction},
        flash::{OptionChangedText, ProrationLabel},
        form::FormAlert,
        locale::use_lang,
        money::{DateText, Money},
    },
    domain::{account::AlertMetric, format, products::Meter},
    error::AppError,
    i18n::*,
    paths,
};

/// What the last successful (or outdated) change on Home was, announced above the products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An option changed: its name in the page's language, and what the server did.
    Option(String, OptionChanged),
    AlertSaved,
    AlertRemoved,
    MoveSent,
    MoveWithdrawn,
    Stale,
}

/// Shared by the product cards: bump `changes` to reload the products, and say what happened.
#[derive(Clone, Copy)]
pub struct ProductsContext {
    pub changes: RwSignal<u32>,
    pub notice: RwSignal<Option<Notice>>,
}

impl ProductsContext {
    /// After an action: reload on success (with `notice`) and on `Stale` (the figures changed);
    /// other errors stay in their form.
    pub fn settle<T>(self, result: &Result<T, AppError>, notice: impl FnOnce(&T) -> Notice) {
        match result {
            Ok(value) => {
                self.notice.set(Some(notice(value)));
                self.changes.update(|n| *n += 1);
            }
            Err(AppError::Stale) => {
                self.notice.set(Some(Notice::Stale));
                self.changes.update(|n| *n += 1);
            }
            Err(_) => {}
        }
    }
}

/// The announcement of the last change (a live region that outlives the reloads).
#[component]
pub fn NoticeBar(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        notice.get().map(|n| match n {
            Notice::Option(name, changed) => view! {
                <p class="alert alert-success" data-testid="notice">
                    <OptionChangedText
                        name
                        active=changed.active
                        amount=changed.amount
                        currency=changed.currency
                    />
                </p>
            }
            .into_any(),
            Notice::Stale => view! {
                <p class="alert alert-error" data-testid="notice">{t!(i18n, errors.stale)}</p>
            }
            .into_any(),
            other => view! {
                <p class="alert alert-success" data-testid="notice">
                    {match other {
                        Notice::AlertSaved => t!(i18n, settings.alert_saved).into_any(),
                        Notice::AlertRemoved => t!(i18n, settings.alert_removed).into_any(),
                        Notice::MoveSent => t!(i18n, settings.move_sent).into_any(),
                        _ => t!(i18n, settings.move_withdrawn).into_any(),
                    }}
                </p>
            }
            .into_any(),
        })
    };
    view! { <div class="notice-slot" role="status" aria-live="polite">{text}</div> }
}

/// The product cards.
#[component]
pub fn ProductList(products: Products) -> impl IntoView {
    let editable = products.editable;
    let currency = products.currency.clone();
    view! {
        <div class="product-cards" data-testid="products">
            {products
                .products
                .into_iter()
                .map(|product| {
                    view! {
                        <ProductCard
                            product
                            editable
                            currency=currency.clone()
                        />
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn ProductCard(product: Product, editable: bool, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    let title_id = format!("product-{}", product.contract_number);
    let heading = match product.phone_number.clone() {
        Some(phone) => {
            let phone = crate::domain::format::phone(&phone);
            view! { <ServiceName service=product.service /> " · " {phone} }.into_any()
        }
        None => view! { <ServiceName service=product.service /> }.into_any(),
    };
    let meters = product.meters.clone();
    let cycle = product.cycle;
    let settings = editable.then(|| {
        let p = product.clone();
        let currency = currency.clone();
        view! {
            {(!p.alert_metrics.is_empty())
                .then(|| {
                    view! {
                        <AlertSettings
                            contract_number=p.contract_number.clone()
                            metrics=p.alert_metrics.clone()
                            alerts=p.alerts.clone()
                            currency=currency.clone()
                        />
                    }
                })}
            {p.movable
                .then(|| {
                    view! {
                        <MoveSettings
                            contract_number=p.contract_number.clone()
                            open_move=p.open_move.clone()
                        />
                    }
                })}
        }
    });
    view! {
        <article
            class="card product-card"
            aria-labelledby=title_id.clone()
            data-testid="product"
            data-contract=product.contract_number.clone()
        >
            <header class="product-head">
                <h3 id=title_id.clone()>{heading}</h3>
                <span class=format!("badge badge-{}", product.status.as_str())>
                    <ContractStatusText status=product.status />
                </span>
            </header>
            <p class="product-meta">
                {match product.tariff_name.clone() {
                    Some(name) => name.into_any(),
                    None => t!(i18n, home.no_tariff).into_any(),
                }} " · " {t!(i18n, home.contract_number)} " " {product.contract_number.clone()}
            </p>
            {(!meters.is_empty())
                .then(|| {
                    view! {
                        <section class="product-part" aria-label=move || t_string!(i18n, settings.usage_title).to_string()>
                            <h4>
                                {t!(i18n, settings.usage_title)}
                                {cycle
                                    .map(|(start, end)| {
                                        view! {
                                            <span class="part-note">
                                                " (" <DateText day=start /> "–" <DateText day=end /> ")"
                                            </span>
                                        }
                                    })}
                            </h4>
                            <ul class="meters">
                                {meters
                                    .into_iter()
                                    .map(|meter| view! { <MeterBar meter currency=currency.clone() /> })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })}
            <OptionList
                hosting_service=product.hosting_service
                contract_number=product.contract_number.clone()
                options=product.options.clone()
                editable=editable && product.cycle.is_some()
                read_only_reason=!editable
                currency=currency.clone()
            />
            {settings}
        </article>
    }
    .into_any()
}

/// A used amount in the metric's unit.
fn metric_amount(
    metric: AlertMetric,
    value: Decimal,
    currency: &str,
    lang: crate::domain::lang::Lang,
    min: &str,
) -> String {
    match metric {
        AlertMetric::Data => format!("{} GB", format::number(value, 1, lang)),
        AlertMetric::Minutes => format!("{} {min}", format::number(value.floor(), 0, lang)),
        AlertMetric::Spend => format::money(value, currency, lang),
    }
}

/// One meter: a bar against the allowance, and the numbers in words.
#[component]
fn MeterBar(meter: Meter, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let percent = meter.percent();
    let text = move || {
        let lang = lang.get();
        let min = t_string!(i18n, usage.unit_min);
        let used = metric_amount(meter.metric, meter.used, &currency, lang, min);
        match meter.included {
            Some(included) => format!(
                "{used} {} {}",
                t_string!(i18n, settings.of),
                metric_amount(meter.metric, included, &currency, lang, min)
            ),
            None if meter.metric == AlertMetric::Spend => used,
            None => format!("{used} · {}", t_string!(i18n, settings.unlimited)),
        }
    };
    let metric = meter.metric;
    view! {
        <li class="meter" data-testid=format!("meter-{}", meter.metric.as_str())>
            <span class="meter-label">
                <MetricName metric=meter.metric />
            </span>
            <span class="meter-figures">
                {text}
                {meter.exceeded().then(|| view! { " · " <strong>{t!(i18n, settings.over_allowance)}</strong> })}
            </span>
            {meter
                .included
                .map(|_| {
                    view! {
                        <span
                            class="meter-track"
                            class:meter-over=meter.exceeded()
                            role="meter"
                            aria-valuemin="0"
                            aria-valuemax="100"
                            aria-valuenow=percent.to_string()
                            aria-label=move || metric_text(i18n, metric)
                        >
                            // An SVG attribute, not a style: the page policy allows no
                            // inline style (issue 24 item 15).
                            <svg class="meter-bar" aria-hidden="true" focusable="false">
                                <rect class="meter-fill" width=format!("{percent}%") height="100%" />
                            </svg>
                        </span>
                    }
                })}
        </li>
    }
}

#[component]
fn OptionList(
    /// A hosting service: its options are on its service page (X1).
    hosting_service: Option<i64>,
    contract_number: String,
    options: Vec<OptionOffer>,
    /// Holder with a running cycle: the options can be switched.
    editable: bool,
    /// A user link: say that the holder changes options.
    read_only_reason: bool,
    currency: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let empty = options.is_empty();
    view! {
        <section class="product-part" aria-label=move || t_string!(i18n, settings.options).to_string()>
            <h4>{t!(i18n, settings.options)}</h4>
            {read_only_reason.then(|| view! { <p class="part-note">{t!(i18n, settings.options_read_only)}</p> })}
            {match (empty, hosting_service) {
                (true, Some(id)) => {
                    let href = move || {
                        paths::localized(lang.get(), &format!("{}/{id}/options", paths::SERVICES))
                    };
                    Some(
                        view! {
                            <p class="part-note">
                                <a href=href data-testid="service-options-link">
                                    {t!(i18n, settings.hosting_options)}
                                </a>
                            </p>
                        }
                            .into_any(),
                    )
                }
                (true, None) => {
                    Some(view! { <p class="part-note">{t!(i18n, settings.no_options)}</p> }.into_any())
                }
                _ => None,
            }}
            <ul class="options" data-testid="options">
                {options
                    .into_iter()
                    .map(|option| {
                        view! {
                            <OptionRow
                                contract_number=contract_number.clone()
                                option
                                editable
                                currency=currency.clone()
                            />
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn OptionRow(
    contract_number: String,
    option: OptionOffer,
    editable: bool,
    currency: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let price = option.monthly_price;
    let price_view = {
        let currency = currency.clone();
        move || {
            if price.is_zero() {
                t!(i18n, settings.free).into_any()
            } else {
                view! { <Money amount=price currency=currency.clone() /> " " {t!(i18n, settings.per_month)} }
                    .into_any()
            }
        }
    };
    let state = if option.active {
        view! {
            <span class="badge badge-active" data-testid="option-state">{t!(i18n, settings.active)}</span>
            {option.since.map(|day| view! { <span class="part-note">{t!(i18n, settings.since)} " " <DateText day /></span> })}
        }
        .into_any()
    } else {
        view! { <span class="badge badge-inactive" data-testid="option-state">{t!(i18n, settings.inactive)}</span> }
            .into_any()
    };
    let confirm = editable
        .then_some(())
        .and(option.change_amount)
        .map(|amount| {
            view! {
                <OptionConfirm
                    contract_number=contract_number.clone()
                    option=option.clone()
                    amount
                    currency=currency.clone()
                    price_view=ViewFn::from(price_view.clone())
                />
            }
        });
    view! {
        <li class="option" data-testid="option" data-code=option.code.clone()>
            <span class="option-name">{option.name.clone()}</span>
            <span class="option-price">{price_view.clone()}</span>
            <span class="option-state">{state}</span>
            {confirm}
        </li>
    }
}

/// The confirm step, as a disclosure that works without scripts: the monthly price and the
/// prorated amount first, then the button that writes the change.
#[component]
fn OptionConfirm(
    contract_number: String,
    option: OptionOffer,
    amount: Decimal,
    currency: String,
    price_view: ViewFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let context = expect_context::<ProductsContext>();
    let action = FormAction::<ChangeOption>::new();
    let name = option.name.clone();
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            context.settle(&result, |changed| {
                Notice::Option(name.clone(), changed.clone())
            });
        }
    });
    let error = Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| *e != AppError::Stale)
    });
    let activate = !option.active;
    let (left, total) = (option.days_left, option.cycle_days);
    view! {
        <details class="option-change" data-testid="option-change">
            <summary class="btn btn-outline btn-small">
                {if activate {
                    t!(i18n, settings.activate).into_any()
                } else {
                    t!(i18n, settings.deactivate).into_any()
                }}
                <span class="visually-hidden">" " {option.name.clone()}</span>
            </summary>
            <div class="confirm-panel">
                <dl class="pairs">
                    <dt>{t!(i18n, settings.monthly_price)}</dt>
                    <dd>{price_view.run()}</dd>
                    <dt><ProrationLabel amount /></dt>
                    <dd data-testid="prorated-amount">
                        <Money amount=amount.abs() currency=currency.clone() /> " "
                        <span class="part-note">{t!(i18n, settings.prorata, left = left, total = total)}</span>
                    </dd>
                </dl>
                <ActionForm action attr:class="stack">
                    <FormAlert error />
                    <input type="hidden" name="contract_number" value=contract_number.clone() />
                    <input type="hidden" name="option_code" value=option.code.clone() />
                    <input type="hidden" name="change" value=if activate { "activate" } else { "deactivate" } />
                    <input type="hidden" name="shown_amount" value=amount.to_string() />
                    <input type="hidden" name="idempotency_key" value=option.confirm_key.clone() />
                    <button type="submit" class="btn btn-primary" data-testid="confirm-option">
                        {if activate {
                            t!(i18n, settings.confirm_activate).into_any()
                        } else {
                            t!(i18n, settings.confirm_deactivate).into_any()
                        }}
                    </button>
                </ActionForm>
            </div>
        </details>
    }
    .into_any()
}
