//! Money and dates shown in the customer's language (P4).

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;

use super::locale::use_lang;
use crate::domain::format;

/// An amount with its currency, formatted for the current language.
#[component]
pub fn Money(amount: Decimal, #[prop(into)] currency: String) -> impl IntoView {
    let lang = use_lang();
    view! { <span class="money">{move || format::money(amount, &currency, lang.get())}</span> }
}

/// A calendar date, formatted for the current language, in a `<time>` element.
#[component]
pub fn DateText(day: NaiveDate) -> impl IntoView {
    let lang = use_lang();
    view! {
        <time datetime=day.to_string()>
            {move || format::date(day, lang.get())}
        </time>
    }
}
