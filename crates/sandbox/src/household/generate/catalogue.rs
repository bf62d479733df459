//! The household's world: the merchants it buys from, the companies that
//! debit it every month, and the YNAB category each of them belongs to.
//! Categories follow the payee, so that a trainer has rules to learn.

/// How a merchant is paid, which decides bunq's `type` and `sub_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Channel {
    /// Debit card in a shop (`MAESTRO` / `PAYMENT`).
    Maestro,
    /// Credit card, often online (`MASTERCARD` / `PAYMENT`).
    Mastercard,
    /// iDEAL web payment (`IDEAL` / `PAYMENT`).
    Ideal,
}

/// A shop or service paid now and then, at a varying amount.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Merchant {
    /// The name bunq shows (`counterparty_alias.display_name`).
    pub name: &'static str,
    /// The payee name the user keeps in YNAB.
    pub payee: &'static str,
    /// How it is paid.
    pub channel: Channel,
    /// Merchant category code (card payments).
    pub mcc: Option<&'static str>,
    /// The merchant's IBAN (iDEAL payments), as a BBAN.
    pub bban: Option<&'static str>,
    /// YNAB category name in the "Household" budget.
    pub category: &'static str,
    /// Amount range in cents (positive; paid out).
    pub cents: (i64, i64),
    /// Relative frequency.
    pub weight: u32,
    /// Whether it is open at night (00:00–02:00 local).
    pub night: bool,
}

const fn card(
    name: &'static str,
    payee: &'static str,
    channel: Channel,
    mcc: &'static str,
    category: &'static str,
    cents: (i64, i64),
    weight: u32,
) -> Merchant {
    Merchant {
        name,
        payee,
        channel,
        mcc: Some(mcc),
        bban: None,
        category,
        cents,
        weight,
        night: false,
    }
}

const fn ideal(
    name: &'static str,
    payee: &'static str,
    bban: &'static str,
    category: &'static str,
    cents: (i64, i64),
    weight: u32,
) -> Merchant {
    let channel = Channel::Ideal;
    Merchant {
        name,
        payee,
        channel,
        mcc: None,
        bban: Some(bban),
        category,
        cents,
        weight,
        night: false,
    }
}

const fn at_night(merchant: Merchant) -> Merchant {
    Merchant {
        night: true,
        ..merchant
    }
}

use Channel::{Maestro, Mastercard};

/// Shops paid from the current and joint accounts: bunq name, YNAB payee,
/// channel, merchant category code or BBAN, category, cents, weight.
#[rustfmt::skip] // One merchant per line reads as a table.
pub(crate) const MERCHANTS: &[Merchant] = &[
    card("ALBERT HEIJN 1234 AMSTERDAM", "Albert Heijn", Maestro, "5411", "Groceries", (350, 9_500), 30),
    card("AH to go 5521 UTRECHT", "Albert Heijn", Maestro, "5411", "Groceries", (220, 1_800), 6),
    card("JUMBO AMSTERDAM OOST", "Jumbo", Maestro, "5411", "Groceries", (500, 8_000), 14),
    card("LIDL 0412 AMSTERDAM", "Lidl", Maestro, "5411", "Groceries", (400, 6_000), 8),
    card("CCV*BAKKERIJ LEKKER", "Bakkerij Lekker", Maestro, "5462", "Groceries", (250, 1_500), 6),
    card("EKOPLAZA DE PIJP", "Ekoplaza", Maestro, "5411", "Groceries", (600, 4_500), 4),
    card("CCV*CAFE DE JAREN", "Cafe de Jaren", Maestro, "5812", "Eating out", (450, 6_500), 6),
    card("SumUp *Pizzeria Napoli", "Pizzeria Napoli", Mastercard, "5812", "Eating out", (1_800, 7_500), 4),
    at_night(card("Uber *EATS", "Uber Eats", Mastercard, "5814", "Eating out", (1_500, 4_500), 3)),
    at_night(ideal("Thuisbezorgd.nl", "Thuisbezorgd", "ABNA0463621585", "Eating out", (1_600, 5_500), 5)),
    card("SHELL 1234 A10 ZUID", "Shell", Maestro, "5541", "Transport", (2_500, 8_500), 5),
    card("BP ZEEBURG", "BP", Maestro, "5541", "Transport", (2_500, 8_000), 3),
    at_night(card("NS GROEP IZ NS REIZIGERS", "NS", Maestro, "4111", "Transport", (290, 3_200), 7)),
    card("GVB AMSTERDAM", "GVB", Mastercard, "4111", "Transport", (340, 900), 4),
    ideal("bol.com", "bol.com", "INGB0006767347", "Shopping", (899, 12_900), 6),
    ideal("Coolblue B.V.", "Coolblue", "INGB0005293891", "Shopping", (1_999, 39_900), 2),
    ideal("Zalando SE", "Zalando", "DEUT0112350680", "Shopping", (2_495, 11_000), 3),
    card("HEMA AMSTERDAM KALVERSTR", "HEMA", Maestro, "5311", "Shopping", (250, 4_500), 4),
    card("ACTION 1055", "Action", Maestro, "5331", "Shopping", (150, 3_000), 4),
    card("ETOS 7781 AMSTERDAM", "Etos", Maestro, "5912", "Health", (299, 3_500), 3),
    card("KRUIDVAT 4412", "Kruidvat", Maestro, "5912", "Health", (199, 2_800), 4),
    card("PATHE TUSCHINSKI", "Pathe", Mastercard, "7832", "Fun", (1_200, 3_400), 2),
    card("STEAMGAMES.COM 4259522", "Steam", Mastercard, "5816", "Fun", (199, 5_999), 1),
];

/// A payment that recurs every month on the same day for a fixed amount.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Recurring {
    /// Which standard account pays or receives it.
    pub account: Slot,
    /// Day of the month.
    pub day: u32,
    /// Local hour of day.
    pub hour: u32,
    /// Signed amount in cents.
    pub cents: i64,
    /// bunq `type` and `sub_type`.
    pub kind: (&'static str, &'static str),
    /// Counterparty name (None: bunq shows none) and BBAN.
    pub party: (Option<&'static str>, &'static str),
    /// Payee name in YNAB.
    pub payee: &'static str,
    /// Description; `{month}` becomes the month and year.
    pub description: &'static str,
    /// YNAB category in the owning budget.
    pub category: &'static str,
}

/// The standard accounts, by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Current account (bunq `Bank`), linked.
    Current,
    /// Savings account, linked.
    Savings,
    /// Joint account, linked.
    Joint,
    /// Current account of the side project, linked in the second budget.
    Side,
    /// Current account no YNAB account links.
    Unlinked,
}

impl Slot {
    /// The standard accounts in the order they are created.
    pub(crate) const ALL: [Self; 5] = [
        Self::Current,
        Self::Savings,
        Self::Joint,
        Self::Side,
        Self::Unlinked,
    ];

    /// Position of this account in the household's account list.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

const SDD: (&str, &str) = ("EBA_SDD", "SDD");
const SCT: (&str, &str) = ("EBA_SCT", "SCT");

/// Monthly payments. Rent, utilities and insurance are direct debits;
/// income arrives by SEPA credit transfer.
#[rustfmt::skip] // Three lines per payment read as a table.
pub(crate) const RECURRING: &[Recurring] = &[
    Recurring {
        account: Slot::Current, day: 24, hour: 9, cents: 341_215, kind: SCT,
        party: (Some("Acme Software B.V."), "INGB0004561238"), payee: "Acme Software",
        description: "Salaris {month}", category: "Inflow: Ready to Assign",
    },
    Recurring {
        account: Slot::Joint, day: 25, hour: 11, cents: 160_000, kind: SCT,
        party: (Some("S. Jansen"), "RABO0301234567"), payee: "Sam Jansen",
        description: "Bijdrage huishouden {month}", category: "Inflow: Ready to Assign",
    },
    Recurring {
        account: Slot::Joint, day: 1, hour: 1, cents: -138_500, kind: SDD,
        party: (Some("Stichting Woonstad Amsterdam"), "ABNA0554362711"), payee: "Woonstad",
        description: "Huur {month} contract 20331", category: "Rent",
    },
    Recurring {
        account: Slot::Joint, day: 3, hour: 6, cents: -14_200, kind: SDD,
        party: (Some("Vattenfall Klantenservice N.V."), "INGB0000066212"), payee: "Vattenfall",
        description: "Termijnbedrag energie {month}", category: "Utilities",
    },
    Recurring {
        account: Slot::Joint, day: 6, hour: 6, cents: -3_150, kind: SDD,
        party: (None, "INGB0000334455"), payee: "Waternet",
        description: "WATERNET voorschot {month}", category: "Utilities",
    },
    Recurring {
        account: Slot::Current, day: 20, hour: 5, cents: -5_400, kind: SDD,
        party: (Some("Ziggo Services B.V."), "INGB0000700599"), payee: "Ziggo",
        description: "Ziggo internet en tv {month}", category: "Utilities",
    },
    Recurring {
        account: Slot::Current, day: 28, hour: 0, cents: -2_250, kind: SDD,
        party: (Some("KPN B.V."), "ABNA0240099990"), payee: "KPN",
        description: "KPN mobiel {month}", category: "Utilities",
    },
    Recurring {
        account: Slot::Current, day: 1, hour: 4, cents: -15_395, kind: SDD,
        party: (Some("Zilveren Kruis Zorgverzekeringen"), "INGB0000658000"), payee: "Zilveren Kruis",
        description: "Premie zorgverzekering {month}", category: "Insurance",
    },
    Recurring {
        account: Slot::Joint, day: 15, hour: 7, cents: -2_817, kind: SDD,
        party: (Some("Centraal Beheer"), "RABO0300003066"), payee: "Centraal Beheer",
        description: "Inboedel- en aansprakelijkheidsverz. {month}", category: "Insurance",
    },
    Recurring {
        account: Slot::Current, day: 12, hour: 2, cents: -1_399, kind: ("MASTERCARD", "PAYMENT"),
        party: (Some("NETFLIX.COM"), ""), payee: "Netflix",
        description: "NETFLIX.COM Amsterdam, NL", category: "Subscriptions",
    },
    Recurring {
        account: Slot::Current, day: 17, hour: 10, cents: -1_199, kind: ("MASTERCARD", "PAYMENT"),
        party: (Some("Spotify P1F3A2B1C"), ""), payee: "Spotify",
        description: "Spotify Stockholm, SE", category: "Subscriptions",
    },
    Recurring {
        account: Slot::Side, day: 5, hour: 14, cents: 95_000, kind: SCT,
        party: (Some("Klantje B.V."), "RABO0112233445"), payee: "Klantje",
        description: "Factuur {month} webdevelopment", category: "Inflow: Ready to Assign",
    },
    Recurring {
        account: Slot::Side, day: 9, hour: 3, cents: -2_400, kind: ("MASTERCARD", "PAYMENT"),
        party: (Some("DIGITALOCEAN.COM"), ""), payee: "DigitalOcean",
        description: "DIGITALOCEAN.COM NEW YORK, US", category: "Hosting",
    },
    Recurring {
        account: Slot::Side, day: 11, hour: 16, cents: -1_000, kind: ("MASTERCARD", "PAYMENT"),
        party: (Some("GITHUB, INC."), ""), payee: "GitHub",
        description: "GITHUB, INC. SAN FRANCISCO, US", category: "Software",
    },
];

/// A move between own accounts: from, to, day of the month, cents,
/// description, and the category used when the target is not in the
/// same budget.
pub(crate) type Move<A> = (A, A, u32, i64, &'static str, Option<&'static str>);

/// Moves made every month.
#[rustfmt::skip] // One move per line reads as a table.
pub(crate) const MOVES: &[Move<Slot>] = &[
    (Slot::Current, Slot::Savings, 25, 30_000, "Sparen", None),
    (Slot::Current, Slot::Joint, 25, 160_000, "Bijdrage huishouden", None),
    (Slot::Current, Slot::Unlinked, 26, 10_000, "Vakantiepot", Some("Vacation")),
];

/// A withdrawal from savings, every fifth month.
pub(crate) const WITHDRAWAL: Move<Slot> = (
    Slot::Savings,
    Slot::Current,
    8,
    50_000,
    "Opname spaarrekening",
    None,
);

/// Merchant category codes that come with each recurring card payment.
pub(crate) fn recurring_mcc(payee: &str) -> Option<&'static str> {
    match payee {
        "Netflix" | "Spotify" => Some("4899"),
        "DigitalOcean" => Some("4816"),
        "GitHub" => Some("5734"),
        _ => None,
    }
}

/// Category groups of the "Household" budget (the first group holds YNAB's
/// internal categories).
pub(crate) const HOUSEHOLD_GROUPS: &[(&str, &[&str])] = &[
    (
        "Internal Master Category",
        &["Inflow: Ready to Assign", "Uncategorized"],
    ),
    (
        "Fixed costs",
        &["Rent", "Utilities", "Insurance", "Subscriptions"],
    ),
    (
        "Daily life",
        &[
            "Groceries",
            "Eating out",
            "Transport",
            "Health",
            "Shopping",
            "Fun",
        ],
    ),
    ("Savings goals", &["Vacation", "Emergency fund"]),
];

/// Category groups of the "Side project" budget.
pub(crate) const SIDE_GROUPS: &[(&str, &[&str])] = &[
    (
        "Internal Master Category",
        &["Inflow: Ready to Assign", "Uncategorized"],
    ),
    ("Business", &["Hosting", "Software", "Office supplies"]),
];

/// The spending categories noise may wrongly pick, per budget.
pub(crate) const HOUSEHOLD_NOISE: &[&str] = &[
    "Groceries",
    "Eating out",
    "Transport",
    "Health",
    "Shopping",
    "Fun",
    "Utilities",
];

/// The side project's spending categories.
pub(crate) const SIDE_NOISE: &[&str] = &["Hosting", "Software", "Office supplies"];

/// Cash purchases that exist only in YNAB (market stalls, a tip).
pub(crate) const CASH_PAYEES: &[(&str, &str)] = &[
    ("Markt Dappermarkt", "Groceries"),
    ("Bloemenkraam", "Fun"),
    ("Fooi", "Eating out"),
    ("Haringkar", "Eating out"),
];
