//! Which inbox messages (M2) also go by mail (issue 27 item 5), and which of them a login may
//! turn off.

use serde::{Deserialize, Serialize};

/// The kinds of notice a login chooses to get by mail or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A new invoice, with its amount and due date.
    Invoice,
    /// A consumption alert that fired (H4).
    Alert,
    /// A technician appointment booked, moved or cancelled (A2).
    Appointment,
    /// A move request's status (H4).
    MoveStatus,
    /// Communications from the provider.
    Provider,
}

impl NoticeKind {
    /// In the order the preference page lists them.
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::Invoice,
        NoticeKind::Alert,
        NoticeKind::Appointment,
        NoticeKind::MoveStatus,
        NoticeKind::Provider,
    ];

    /// The `messages.kind` and `notice_preferences.kind` value (also the form field's name).
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Invoice => "invoice",
            NoticeKind::Alert => "alert",
            NoticeKind::Appointment => "appointment",
            NoticeKind::MoveStatus => "move_status",
            NoticeKind::Provider => "provider",
        }
    }

    pub fn parse(text: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Whether an inbox message of `kind` is mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailPolicy {
    /// Always (security notices: a login cannot miss that its contract was linked elsewhere).
    Always,
    /// Unless the login turned the kind off.
    Optional(NoticeKind),
    /// Never (linking codes: the SMS to the line is the proof; a mail would bypass it).
    Never,
}

/// The mail policy of a `messages.kind`; an unknown kind is not mailed.
pub fn mail_policy(message_kind: &str) -> MailPolicy {
    match message_kind {
        "security" => MailPolicy::Always,
        "linking_code" => MailPolicy::Never,
        other => NoticeKind::parse(other).map_or(MailPolicy::Never, MailPolicy::Optional),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_policies_follow_the_kind() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
            assert_eq!(mail_policy(kind.as_str()), MailPolicy::Optional(kind));
        }
        assert_eq!(mail_policy("security"), MailPolicy::Always);
        assert_eq!(mail_policy("linking_code"), MailPolicy::Never);
        assert_eq!(mail_policy("something_new"), MailPolicy::Never);
    }
}
