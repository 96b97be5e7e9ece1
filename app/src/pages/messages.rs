//! Important communications (M2): the inbox; opening a message marks it read and lowers the
//! unread count in the navigation.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::messages::{MessageView, ReadMessage, get_messages},
    app::UnreadOverride,
    components::{
        form::FormAlert,
        locale::{use_lang, use_localized},
        page_error::PageError,
    },
    domain::format,
    i18n::*,
    page_data::page_data,
    paths,
};

/// The Messages page.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let i18n = use_i18n();
    let read = ServerAction::<ReadMessage>::new();
    let unread = expect_context::<UnreadOverride>();
    Effect::new(move |_| {
        if let Some(Ok(count)) = read.value().get() {
            unread.0.set(Some(count));
        }
    });
    let error = Signal::derive(move || read.value().get().and_then(Result::err));
    let messages = page_data(|| (), |_| get_messages());
    let notifications = use_localized(paths::NOTIFICATIONS);
    let content = move || {
        Suspend::new(async move {
            match messages.await {
                Ok(list) if list.is_empty() => {
                    view! { <p class="card" data-testid="no-messages">{t!(i18n, messages.empty)}</p> }
                        .into_any()
                }
                Ok(list) => view! {
                    <ul class="inbox" data-testid="inbox">
                        {list
                            .into_iter()
                            .map(|message| view! { <MessageItem message read /> })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, messages.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, messages.title)}</h1>
            <p>
                <a href=notifications data-testid="notifications-link">{t!(i18n, notices.messages_link)}</a>
            </p>
            <FormAlert error />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}

/// One message: the subject and date; the text opens like a disclosure and the first opening
/// marks it read.
#[component]
fn MessageItem(message: MessageView, read: ServerAction<ReadMessage>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let is_read = RwSignal::new(message.read);
    let id = message.id;
    let received = message.received_at;
    let on_toggle = move |_| {
        if !is_read.get_untracked() {
            is_read.set(true);
            read.dispatch(ReadMessage { message_id: id });
        }
    };
    view! {
        <li class="message card" class:message-unread=move || !is_read.get() data-testid="message">
            <details on:toggle=on_toggle>
                <summary>
                    <span class="message-subject">{message.subject.clone()}</span>
                    <span class="message-meta">
                        {move || {
                            format!(
                                "{} {}",
                                format::date(received.date(), lang.get()),
                                format::clock(received)
                            )
                        }}
                        {move || {
                            (!is_read.get())
                                .then(|| {
                                    view! {
                                        <span class="badge badge-info" data-testid="message-unread">
                                            {t!(i18n, messages.unread)}
                                        </span>
                                    }
                                })
                        }}
                    </span>
                </summary>
                <p class="message-body">{message.body.clone()}</p>
            </details>
        </li>
    }
}
