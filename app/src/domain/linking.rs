//! L3–L9: decisions about linking a login to customer numbers and contracts. Every decision
//! is pure: it reads the login's links and the facts of the customers and contracts involved,
//! and answers either a plan (the steps to write, in one transaction) or a typed refusal that
//! the UI explains. A refusal has no steps, so it never changes anything.

use serde::{Deserialize, Serialize};

use super::account::ContractStatus;
pub use super::account::Segment;

/// What linking needs to know of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractFacts {
    pub contract_id: i64,
    pub customer_id: i64,
    pub segment: Segment,
    pub status: ContractStatus,
    pub phone_number: Option<String>,
    pub tariff_name: Option<String>,
}

/// What linking needs to know of a customer number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFacts {
    pub customer_id: i64,
    pub segment: Segment,
    /// Business contracts run or ever ran under this number (also after a switch to private).
    pub has_business_history: bool,
    pub contracts: Vec<ContractFacts>,
}

impl CustomerFacts {
    /// Whether any contract of the number is still active.
    pub fn has_active_contract(&self) -> bool {
        self.contracts
            .iter()
            .any(|c| c.status == ContractStatus::Active)
    }
}

/// One existing link of the login, with the facts of what it points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkFacts {
    Holder {
        link_id: i64,
        customer: CustomerFacts,
    },
    User {
        link_id: i64,
        contract: ContractFacts,
    },
}

impl LinkFacts {
    /// The link's id.
    pub fn link_id(&self) -> i64 {
        match self {
            LinkFacts::Holder { link_id, .. } | LinkFacts::User { link_id, .. } => *link_id,
        }
    }
}

/// A warning shown next to a link on the linking page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkWarning {
    /// L7: the holder link's customer number has no active contract left; it still occupies
    /// the holder slot and can be deleted.
    StaleHolder,
    /// L9: a user link without phone number or tariff is most likely a business contract; the
    /// business portal is the place for it.
    LikelyBusinessContract,
}

/// Failed proofs against one target, from any logins, within `TARGET_WINDOW_HOURS`, after which
/// linking that target pauses (issue 24 item 4): a customer number after wrong contract
/// passwords, a line after wrong codes. Each login has its own limit too (`api::linking`), so
/// fresh logins cannot add up to more than this against one number. The holder can allow
/// linking again at once; otherwise it resumes when the failures age out of the window.
pub const TARGET_MAX_FAILURES: i64 = 10;
/// The window over which failures against one target count.
pub const TARGET_WINDOW_HOURS: i32 = 24;

/// Whether `failures` against one target pause linking it.
pub fn target_paused(failures: i64) -> bool {
    failures >= TARGET_MAX_FAILURES
}

/// Whether the failure that brought a target to `failures` is the one that paused it (the
/// holder is told once).
pub fn pauses_now(failures: i64) -> bool {
    failures == TARGET_MAX_FAILURES
}

/// L7, L9: the warnings of one link.
pub fn warnings(link: &LinkFacts) -> Vec<LinkWarning> {
    match link {
        LinkFacts::Holder { customer, .. } if !customer.has_active_contract() => {
            vec![LinkWarning::StaleHolder]
        }
        LinkFacts::User { contract, .. }
            if contract.phone_number.is_none() || contract.tariff_name.is_none() =>
        {
            vec![LinkWarning::LikelyBusinessContract]
        }
        _ => Vec::new(),
    }
}

/// Why a linking action is refused; each has a translated explanation and next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkRefusal {
    /// L5: business contracts are managed in the business portal (URL from provider settings).
    BusinessContract,
    /// L6: the number has business history: a user link is possible; customer service must
    /// move the private contracts to a number of their own for holder access.
    BusinessHistory,
    /// L4: the login already holds another customer number: customer service can merge the
    /// numbers when the contracts are in the same name, otherwise a second login is needed; a
    /// user link is possible.
    SecondHolder,
    /// L7: the login's holder link is stale; delete it first (its id is given).
    StaleHolderLink { link_id: i64 },
    /// The login already sees this through a link.
    AlreadyLinked,
    /// The contract is cancelled or taken over.
    ContractNotActive,
    /// The link does not exist for this login, or is not of the needed role.
    UnknownLink,
}

impl LinkRefusal {
    /// Whether the page offers a user link instead (L4, L6).
    pub fn offers_user_link(&self) -> bool {
        matches!(
            self,
            LinkRefusal::SecondHolder | LinkRefusal::BusinessHistory
        )
    }
}

/// One write of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    DeleteLink { link_id: i64 },
    CreateHolder { customer_id: i64 },
    CreateUser { contract_id: i64 },
}

/// The writes of an allowed action, applied in order in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Step>,
}

/// L3–L7: linking `target` as holder (after its contract password was verified).
/// Business numbers are refused (L5), numbers with business history too (L6); the login's
/// holder slot must be free (L4), and a stale holder link in it must be deleted first (L7).
pub fn decide_holder_link(
    links: &[LinkFacts],
    target: &CustomerFacts,
) -> Result<Plan, LinkRefusal> {
    if target.segment == Segment::Business {
        return Err(LinkRefusal::BusinessContract);
    }
    if target.has_business_history
        || target
            .contracts
            .iter()
            .any(|c| c.segment == Segment::Business)
    {
        return Err(LinkRefusal::BusinessHistory);
    }
    for link in links {
        if let LinkFacts::Holder { link_id, customer } = link {
            if customer.customer_id == target.customer_id {
                return Err(LinkRefusal::AlreadyLinked);
            }
            if !customer.has_active_contract() {
                return Err(LinkRefusal::StaleHolderLink { link_id: *link_id });
            }
            return Err(LinkRefusal::SecondHolder);
        }
    }
    Ok(Plan {
        steps: vec![Step::CreateHolder {
            customer_id: target.customer_id,
        }],
    })
}

/// L5 and "User links": linking one contract as user (after the SMS code was verified).
/// Business contracts are refused (L5); numbers with business history and contracts of a
/// second customer number are fine as user links (L4, L6).
pub fn decide_user_link(
    links: &[LinkFacts],
    contract: &ContractFacts,
) -> Result<Plan, LinkRefusal> {
    if contract.segment == Segment::Business {
        return Err(LinkRefusal::BusinessContract);
    }
    let already = links.iter().any(|link| match link {
        LinkFacts::Holder { customer, .. } => customer.customer_id == contract.customer_id,
        LinkFacts::User { contract: c, .. } => c.contract_id == contract.contract_id,
    });
    if already {
        return Err(LinkRefusal::AlreadyLinked);
    }
    if contract.status != ContractStatus::Active {
        return Err(LinkRefusal::ContractNotActive);
    }
    Ok(Plan {
        steps: vec![Step::CreateUser {
            contract_id: contract.contract_id,
        }],
    })
}

/// L8: "make me holder": the user link `user_link_id` goes and a holder link on its contract's
/// customer number comes, as one plan; refused as a whole when the number may not be held by
/// this login (the same rules as `decide_holder_link`, the user link itself not counting).
pub fn decide_make_me_holder(
    links: &[LinkFacts],
    user_link_id: i64,
    customer: &CustomerFacts,
) -> Result<Plan, LinkRefusal> {
    let owns_link = links.iter().any(|link| {
        matches!(link, LinkFacts::User { link_id, contract }
            if *link_id == user_link_id && contract.customer_id == customer.customer_id)
    });
    if !owns_link {
        return Err(LinkRefusal::UnknownLink);
    }
    let others: Vec<LinkFacts> = links
        .iter()
        .filter(|l| l.link_id() != user_link_id)
        .cloned()
        .collect();
    let holder = decide_holder_link(&others, customer)?;
    let mut steps = vec![Step::DeleteLink {
        link_id: user_link_id,
    }];
    steps.extend(holder.steps);
    Ok(Plan { steps })
}

/// L1: deleting one of the login's own links.
pub fn decide_delete(links: &[LinkFacts], link_id: i64) -> Result<Plan, LinkRefusal> {
    if links.iter().any(|l| l.link_id() == link_id) {
        Ok(Plan {
            steps: vec![Step::DeleteLink { link_id }],
        })
    } else {
        Err(LinkRefusal::UnknownLink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(
        id: i64,
        customer_id: i64,
        segment: Segment,
        status: ContractStatus,
    ) -> ContractFacts {
        ContractFacts {
            contract_id: id,
            customer_id,
            segment,
            status,
            phone_number: Some(format!("+49 151 {id:06}")),
            tariff_name: Some("Mobile M".into()),
        }
    }

    fn customer(id: i64, contracts: Vec<ContractFacts>) -> CustomerFacts {
        CustomerFacts {
            customer_id: id,
            segment: Segment::Private,
            has_business_history: false,
            contracts,
        }
    }

    fn c200001() -> CustomerFacts {
        customer(
            200001,
            vec![
                contract(1, 200001, Segment::Private, ContractStatus::Active),
                contract(2, 200001, Segment::Private, ContractStatus::Active),
            ],
        )
    }

    fn c200009_stale() -> CustomerFacts {
        customer(
            200009,
            vec![contract(
                9,
                200009,
                Segment::Private,
                ContractStatus::Cancelled,
            )],
        )
    }

    // The worked cases of LINKING.md, one test each.

    #[test]
    fn case_link_holder_with_no_links() {
        assert_eq!(
            decide_holder_link(&[], &c200001()),
            Ok(Plan {
                steps: vec![Step::CreateHolder {
                    customer_id: 200001
                }]
            })
        );
    }

    #[test]
    fn case_second_holder_is_refused_with_user_link_offered() {
        let links = [LinkFacts::Holder {
            link_id: 10,
            customer: c200001(),
        }];
        let target = customer(
            200002,
            vec![contract(
                3,
                200002,
                Segment::Private,
                ContractStatus::Active,
            )],
        );
        let refusal = decide_holder_link(&links, &target).expect_err("L4");
        assert_eq!(refusal, LinkRefusal::SecondHolder);
        assert!(refusal.offers_user_link());
        assert!(decide_user_link(&links, &target.contracts[0]).is_ok());
    }

    #[test]
    fn case_business_contract_is_refused() {
        let business = contract(4, 200004, Segment::Business, ContractStatus::Active);
        assert_eq!(
            decide_user_link(&[], &business),
            Err(LinkRefusal::BusinessContract)
        );
        let mut number = customer(200004, vec![business]);
        number.segment = Segment::Business;
        number.has_business_history = true;
        assert_eq!(
            decide_holder_link(&[], &number),
            Err(LinkRefusal::BusinessContract)
        );
    }

    #[test]
    fn case_business_history_is_user_only() {
        let mut number = customer(
            200003,
            vec![contract(
                5,
                200003,
                Segment::Private,
                ContractStatus::Active,
            )],
        );
        number.has_business_history = true;
        let refusal = decide_holder_link(&[], &number).expect_err("L6");
        assert_eq!(refusal, LinkRefusal::BusinessHistory);
        assert!(refusal.offers_user_link());
        assert!(decide_user_link(&[], &number.contracts[0]).is_ok());
    }

    #[test]
    fn case_stale_holder_link_is_flagged() {
        let link = LinkFacts::Holder {
            link_id: 11,
            customer: c200009_stale(),
        };
        assert_eq!(warnings(&link), vec![LinkWarning::StaleHolder]);
        assert_eq!(
            decide_delete(&[link], 11),
            Ok(Plan {
                steps: vec![Step::DeleteLink { link_id: 11 }]
            })
        );
    }

    #[test]
    fn case_stale_holder_blocks_a_new_holder_link() {
        let links = [LinkFacts::Holder {
            link_id: 11,
            customer: c200009_stale(),
        }];
        assert_eq!(
            decide_holder_link(&links, &c200001()),
            Err(LinkRefusal::StaleHolderLink { link_id: 11 })
        );
    }

    #[test]
    fn case_make_me_holder_is_one_plan() {
        let links = [LinkFacts::User {
            link_id: 12,
            contract: c200001().contracts[0].clone(),
        }];
        assert_eq!(
            decide_make_me_holder(&links, 12, &c200001()),
            Ok(Plan {
                steps: vec![
                    Step::DeleteLink { link_id: 12 },
                    Step::CreateHolder {
                        customer_id: 200001
                    },
                ]
            })
        );
        // With another holder number already held, nothing happens.
        let mut blocked = links.to_vec();
        blocked.push(LinkFacts::Holder {
            link_id: 13,
            customer: customer(
                200005,
                vec![contract(
                    7,
                    200005,
                    Segment::Private,
                    ContractStatus::Active,
                )],
            ),
        });
        assert_eq!(
            decide_make_me_holder(&blocked, 12, &c200001()),
            Err(LinkRefusal::SecondHolder)
        );
        assert_eq!(
            decide_make_me_holder(&links, 99, &c200001()),
            Err(LinkRefusal::UnknownLink)
        );
    }

    #[test]
    fn user_link_without_number_or_tariff_is_likely_business() {
        let mut legacy = contract(8, 200006, Segment::Private, ContractStatus::Active);
        legacy.phone_number = None;
        legacy.tariff_name = None;
        let link = LinkFacts::User {
            link_id: 14,
            contract: legacy,
        };
        assert_eq!(warnings(&link), vec![LinkWarning::LikelyBusinessContract]);
    }

    #[test]
    fn duplicates_and_inactive_contracts() {
        let links = [LinkFacts::Holder {
            link_id: 10,
            customer: c200001(),
        }];
        assert_eq!(
            decide_holder_link(&links, &c200001()),
            Err(LinkRefusal::AlreadyLinked)
        );
        assert_eq!(
            decide_user_link(&links, &c200001().contracts[1]),
            Err(LinkRefusal::AlreadyLinked)
        );
        let cancelled = contract(20, 200007, Segment::Private, ContractStatus::Cancelled);
        assert_eq!(
            decide_user_link(&[], &cancelled),
            Err(LinkRefusal::ContractNotActive)
        );
        assert_eq!(decide_delete(&links, 99), Err(LinkRefusal::UnknownLink));
    }
}
