//! The notice of a plain form post (JavaScript off, P6; `domain::flash`), shown once above the
//! page the post redirected to, with the words the hydrated page uses for the same change.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use rust_decimal::Decimal;

use super::money::{DateText, Money};
use crate::{domain::flash::Flash, i18n::*};

/// The notice the page shell brought, for the pages that act on it (the linking code step).
#[derive(Debug, Clone, Default)]
pub struct PageFlash(pub Option<Flash>);

/// The notice of the page shell, if any.
pub fn use_flash() -> Option<Flash> {
    use_context::<PageFlash>().and_then(|f| f.0)
}

/// A notice set in the browser after a change that also reloads the page shell (a deleted
/// link changes the navigation), with the path it belongs to: it outlives the re-rendered page.
#[derive(Debug, Clone, Copy)]
pub struct ClientFlash(pub RwSignal<Option<(Flash, String)>>);

impl ClientFlash {
    /// Announces `flash` on the current page.
    pub fn show(self, flash: Flash) {
        let path = use_location().pathname.get_untracked();
        self.0.set(Some((flash, path)));
    }
}

/// The announcement of `flash` (the page shell's), or of a notice set in the browser, on the
/// page it was made for: after a navigation in the browser it no longer applies.
#[component]
pub fn FlashNotice(flash: Option<Flash>) -> impl IntoView {
    let location = use_location();
    let shown_on = location.pathname.get_untracked();
    let client = use_context::<ClientFlash>();
    move || {
        let path = location.pathname.get();
        let from_client = client
            .and_then(|c| c.0.get())
            .filter(|(_, on)| *on == path)
            .map(|(flash, _)| flash);
        let current = from_client.or_else(|| flash.clone().filter(|_| path == shown_on))?;
        let text = notice_text(current)?;
        Some(view! {
            <div class="notice-slot" role="status">
                <p class="alert alert-success" data-testid="flash">{text.run()}</p>
            </div>
        })
    }
}

/// "Sport bouquet is now active. Charged on your next invoice: €4.33" (H3): the words after an
/// option switch, on the hydrated Home and after a plain form post alike.
#[component]
pub fn OptionChangedText(
    name: String,
    active: bool,
    amount: Decimal,
    currency: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <strong>{name}</strong> " "
        {if active {
            t!(i18n, settings.now_active).into_any()
        } else {
            t!(i18n, settings.now_inactive).into_any()
        }}
        {(!amount.is_zero())
            .then(|| {
                view! {
                    " "
                    <ProrationLabel amount /> ": " <Money amount=amount.abs() currency=currency />
                }
            })}
    }
}

/// "Charged on" or "credited on" your next invoice (H3).
#[component]
pub fn ProrationLabel(amount: Decimal) -> impl IntoView {
    let i18n = use_i18n();
    if amount.is_sign_negative() {
        t!(i18n, settings.next_invoice_credit).into_any()
    } else {
        t!(i18n, settings.next_invoice_charge).into_any()
    }
}

/// The words for a notice; `None` for the linking code step, which its form shows itself.
fn notice_text(flash: Flash) -> Option<ViewFn> {
    let i18n = use_i18n();
    let text: ViewFn = match flash {
        Flash::OptionChanged {
            name,
            active,
            amount,
            currency,
        } => ViewFn::from(move || {
            view! {
                <OptionChangedText
                    name=name.clone()
                    active
                    amount
                    currency=currency.clone()
                />
            }
            .into_any()
        }),
        Flash::AlertSaved => ViewFn::from(move || t!(i18n, settings.alert_saved).into_any()),
        Flash::AlertRemoved => ViewFn::from(move || t!(i18n, settings.alert_removed).into_any()),
        Flash::MoveSent => ViewFn::from(move || t!(i18n, settings.move_sent).into_any()),
        Flash::MoveWithdrawn => ViewFn::from(move || t!(i18n, settings.move_withdrawn).into_any()),
        Flash::ContactSaved { changed: true } => {
            ViewFn::from(move || t!(i18n, account.saved).into_any())
        }
        Flash::ContactSaved { changed: false } => {
            ViewFn::from(move || t!(i18n, account.unchanged).into_any())
        }
        Flash::AppointmentBooked => ViewFn::from(move || t!(i18n, appointment.booked).into_any()),
        Flash::AppointmentRescheduled => {
            ViewFn::from(move || t!(i18n, appointment.rescheduled).into_any())
        }
        Flash::AppointmentCancelled => {
            ViewFn::from(move || t!(i18n, appointment.cancelled).into_any())
        }
        Flash::InvoicePaid => ViewFn::from(move || t!(i18n, payables.paid).into_any()),
        Flash::LinkDeleted => ViewFn::from(move || t!(i18n, linking.deleted).into_any()),
        Flash::LinkingResumed => ViewFn::from(move || t!(i18n, linking.resumed).into_any()),
        Flash::UpgradeConfirmed {
            invoice_number,
            paid,
        } => ViewFn::from(move || {
            view! { <UpgradeDone invoice_number=invoice_number.clone() paid /> }.into_any()
        }),
        Flash::DowngradeScheduled { day } => ViewFn::from(move || {
            view! { {t!(i18n, services.scheduled)} " " <DateText day /> }.into_any()
        }),
        Flash::DowngradeWithdrawn => ViewFn::from(move || t!(i18n, services.withdrawn).into_any()),
        Flash::EmailChangeSent => ViewFn::from(move || t!(i18n, security.email_sent).into_any()),
        Flash::NoticesSaved => ViewFn::from(move || t!(i18n, notices.saved).into_any()),
        Flash::LinkCodeSent { .. } | Flash::LinkCodeStep { .. } | Flash::LinkHolderTyped { .. } => {
            return None;
        }
    };
    Some(text)
}

/// What a confirmed hosting upgrade did (X2): its invoice, and whether the stored card paid it
/// or it waits under "Invoices & payments" (issue 28 item 5).
#[component]
pub fn UpgradeDone(invoice_number: String, paid: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {t!(i18n, services.confirmed)} " "
        <span data-testid="upgrade-invoice">{invoice_number}</span> " "
        <span data-testid="upgrade-payment" data-paid=paid.to_string()>
            {if paid {
                t!(i18n, services.upgrade_paid).into_any()
            } else {
                t!(i18n, services.upgrade_to_pay).into_any()
            }}
        </span>
    }
}
