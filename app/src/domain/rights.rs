//! Who may see what (L2): rights derived from a login's links, never from the UI.
//!
//! A holder link gives full access to every contract of one customer number, including
//! contracts added later (L3). A user link gives read-only access to one contract's number,
//! tariff, usage and options, and nothing of the account (invoices, payments, personal data).

use serde::{Deserialize, Serialize};

/// The role a link gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Holder,
    User,
}

impl Role {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Holder => "holder",
            Role::User => "user",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "holder" => Some(Role::Holder),
            "user" => Some(Role::User),
            _ => None,
        }
    }
}

/// Something a login may do or see (L2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Capability {
    /// Phone number and tariff name of a contract.
    ViewContractLine,
    /// Usage of a contract.
    ViewUsage,
    /// The options of a contract, read only.
    ViewOptions,
    /// Switch options, change plans, upgrade, move.
    ChangeContract,
    /// Balance and invoices, credit notes, invoice PDFs.
    ViewInvoices,
    /// Payments, direct debit, payment methods.
    ManagePayments,
    /// Contact data and the inbox.
    ViewPersonalData,
    /// Uploaded documents.
    ManageDocuments,
    /// Technician appointments.
    ManageAppointments,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 9] = [
        Capability::ViewContractLine,
        Capability::ViewUsage,
        Capability::ViewOptions,
        Capability::ChangeContract,
        Capability::ViewInvoices,
        Capability::ManagePayments,
        Capability::ViewPersonalData,
        Capability::ManageDocuments,
        Capability::ManageAppointments,
    ];

    /// What a user link allows on its one contract (L2): the line, its usage and its
    /// options, read only. Nothing else.
    pub fn for_user(self) -> bool {
        matches!(
            self,
            Capability::ViewContractLine | Capability::ViewUsage | Capability::ViewOptions
        )
    }
}

/// One link of a login, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Holder of a customer number (by customer id).
    Holder { customer_id: i64 },
    /// User of one contract (by contract id).
    User { contract_id: i64 },
}

/// The rights of one login, resolved from all its links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rights {
    holder_of: Option<i64>,
    user_of: Vec<i64>,
}

impl Rights {
    /// Resolves the rights of a login from its links. The database allows one holder link per
    /// login (L4); should several ever arrive, the lowest customer id wins so the result is
    /// deterministic.
    pub fn from_links(links: &[Link]) -> Rights {
        let mut rights = Rights::default();
        for link in links {
            match *link {
                Link::Holder { customer_id } => {
                    rights.holder_of = Some(match rights.holder_of {
                        Some(existing) => existing.min(customer_id),
                        None => customer_id,
                    });
                }
                Link::User { contract_id } => {
                    if !rights.user_of.contains(&contract_id) {
                        rights.user_of.push(contract_id);
                    }
                }
            }
        }
        rights.user_of.sort_unstable();
        rights
    }

    /// The customer number (id) this login holds, if any.
    pub fn holder_customer(&self) -> Option<i64> {
        self.holder_of
    }

    /// The contracts this login uses through user links.
    pub fn user_contracts(&self) -> &[i64] {
        &self.user_of
    }

    /// Whether the login may see and manage the account of `customer_id`: balance, invoices,
    /// payments, contact data, documents, appointments.
    pub fn may_manage_account(&self, customer_id: i64) -> bool {
        self.holder_of == Some(customer_id)
    }

    /// The role through which the login sees a contract, if it sees it at all. Holder wins
    /// over user when both apply.
    pub fn contract_role(&self, contract_id: i64, contract_customer_id: i64) -> Option<Role> {
        if self.holder_of == Some(contract_customer_id) {
            Some(Role::Holder)
        } else if self.user_of.binary_search(&contract_id).is_ok() {
            Some(Role::User)
        } else {
            None
        }
    }

    /// L2: whether the login may do `capability` on contract `contract_id` of customer
    /// `customer_id`: a holder of the customer may do everything, a user of the contract only
    /// what `Capability::for_user` allows, anybody else nothing.
    pub fn allows(&self, capability: Capability, contract_id: i64, customer_id: i64) -> bool {
        match self.contract_role(contract_id, customer_id) {
            Some(Role::Holder) => true,
            Some(Role::User) => capability.for_user(),
            None => false,
        }
    }

    /// Whether the login has no links at all.
    pub fn is_empty(&self) -> bool {
        self.holder_of.is_none() && self.user_of.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_sees_every_contract_of_the_number_and_the_account() {
        let rights = Rights::from_links(&[Link::Holder { customer_id: 7 }]);
        assert!(rights.may_manage_account(7));
        assert!(!rights.may_manage_account(8));
        // Contract 99 was added to customer 7 after linking: visible at once (L3).
        assert_eq!(rights.contract_role(99, 7), Some(Role::Holder));
        assert_eq!(rights.contract_role(5, 8), None);
    }

    #[test]
    fn user_sees_one_contract_and_no_account() {
        let rights = Rights::from_links(&[Link::User { contract_id: 42 }]);
        assert_eq!(rights.contract_role(42, 7), Some(Role::User));
        assert_eq!(rights.contract_role(43, 7), None);
        assert!(!rights.may_manage_account(7));
    }

    #[test]
    fn holder_wins_over_user_on_the_same_contract() {
        let rights = Rights::from_links(&[
            Link::User { contract_id: 42 },
            Link::Holder { customer_id: 7 },
        ]);
        assert_eq!(rights.contract_role(42, 7), Some(Role::Holder));
    }

    #[test]
    fn no_links_no_rights() {
        let rights = Rights::from_links(&[]);
        assert!(rights.is_empty());
        assert_eq!(rights.contract_role(1, 1), None);
        assert!(!rights.may_manage_account(1));
    }

    #[test]
    fn capabilities_by_role() {
        let holder = Rights::from_links(&[Link::Holder { customer_id: 7 }]);
        let user = Rights::from_links(&[Link::User { contract_id: 42 }]);
        for capability in Capability::ALL {
            assert!(holder.allows(capability, 42, 7));
            assert_eq!(user.allows(capability, 42, 7), capability.for_user());
            assert!(!user.allows(capability, 43, 7));
            assert!(!holder.allows(capability, 50, 8));
        }
        assert!(!user.allows(Capability::ViewInvoices, 42, 7));
        assert!(!user.allows(Capability::ManagePayments, 42, 7));
    }

    #[test]
    fn case_user_of_a_contract_cannot_fetch_the_numbers_invoices() {
        // LINKING.md: user of a contract of 200001 → fetch invoices of 200001 → refused (L2).
        let rights = Rights::from_links(&[Link::User { contract_id: 1 }]);
        assert!(!rights.may_manage_account(200001));
        assert!(!rights.allows(Capability::ViewInvoices, 1, 200001));
        assert!(rights.allows(Capability::ViewUsage, 1, 200001));
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Holder, Role::User] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
