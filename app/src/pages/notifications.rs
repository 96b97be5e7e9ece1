//! Which notices come by mail (issue 27 item 5): one box per optional kind; every notice stays
//! in the inbox either way.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::notices::{NoticeChoice, SaveNoticePreferences, get_notice_preferences},
    components::{
        action_form::{ActionForm, FormAction},
        form::{FormAlert, SuccessNotice},
        page_error::PageError,
    },
    domain::notices::NoticeKind,
    i18n::*,
    page_data::page_data,
};

/// The label of a kind of notice.
fn kind_label(kind: NoticeKind) -> AnyView {
    let i18n = use_i18n();
    match kind {
        NoticeKind::Invoice => t!(i18n, notices.kind_invoice).into_any(),
        NoticeKind::Alert => t!(i18n, notices.kind_alert).into_any(),
        NoticeKind::Appointment => t!(i18n, notices.kind_appointment).into_any(),
        NoticeKind::MoveStatus => t!(i18n, notices.kind_move_status).into_any(),
        NoticeKind::Provider => t!(i18n, notices.kind_provider).into_any(),
    }
}

/// The notification preferences page.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = FormAction::<SaveNoticePreferences>::new();
    let data = page_data(move || save.version().get(), |_| get_notice_preferences());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(choices) => view! { <Choices choices save /> }.into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, notices.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, notices.title)}</h1>
            <SuccessNotice
                testid="notices-saved"
                message=move || saved().then(|| t!(i18n, notices.saved).into_any())
            />
            <FormAlert error />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{content}</Suspense>
        </div>
    }
}

#[component]
fn Choices(choices: Vec<NoticeChoice>, save: FormAction<SaveNoticePreferences>) -> impl IntoView {
    let i18n = use_i18n();
    let boxes = choices
        .into_iter()
        .map(|choice| {
            let name = choice.kind.as_str();
            let id = format!("notice-{name}");
            let label_for = id.clone();
            view! {
                <label for=label_for>
                    <input type="checkbox" id=id name=name value="on" checked=choice.by_mail />
                    {kind_label(choice.kind)}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="card stack" aria-labelledby="notices-heading">
            <h2 id="notices-heading">{t!(i18n, notices.by_mail)}</h2>
            <p class="part-note">{t!(i18n, notices.intro)}</p>
            <ActionForm action=save attr:class="stack">
                <fieldset class="choice">
                    <legend>{t!(i18n, notices.legend)}</legend>
                    {boxes}
                </fieldset>
                <p class="part-note">{t!(i18n, notices.always)}</p>
                <button type="submit" class="btn btn-primary" data-testid="save-notices">
                    {t!(i18n, notices.save)}
                </button>
            </ActionForm>
        </section>
    }
}
