//! Normalising the free text of a payment (description, counterparty name)
//! into tokens: lower case, accents folded, digits dropped (terminal and
//! store numbers), payment-provider prefixes (`CCV*`, `SumUp *`) removed and
//! city names and legal-form noise left out.

/// Prefixes that name the payment provider rather than the merchant, as
/// in `CCV*BAKKERIJ LEKKER` or `SumUp *Pizzeria Napoli`.
const PROVIDERS: &[&str] = &[
    "adyen",
    "bck",
    "buckaroo",
    "ccv",
    "ingenico",
    "izettle",
    "mollie",
    "paypal",
    "paynl",
    "sq",
    "stripe",
    "sumup",
    "tikkie",
    "worldline",
    "zettle",
];

/// Tokens that say where or what kind of company, not who: they differ
/// between branches of one merchant.
const NOISE: &[&str] = &[
    "almere",
    "amersfoort",
    "amsterdam",
    "apeldoorn",
    "arnhem",
    "breda",
    "bv",
    "delft",
    "eindhoven",
    "enschede",
    "groningen",
    "haag",
    "haarlem",
    "leiden",
    "maastricht",
    "nijmegen",
    "nl",
    "nld",
    "nv",
    "rotterdam",
    "tilburg",
    "utrecht",
    "zwolle",
];

/// The tokens of `text`: runs of at least two letters, lower case, with
/// provider prefixes and noise removed, in order of appearance.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.to_owned()));
    out
}

/// Calls `emit` with each token of `text`, as [`tokens`] lists them,
/// without allocating a string per token.
pub fn for_each_token(text: &str, mut emit: impl FnMut(&str)) {
    let folded = fold(text);
    strip_provider(&folded)
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| t.len() >= 2 && !NOISE.contains(t))
        .for_each(&mut emit);
}

/// The counterparty as one key (`albert heijn`), or `None` when nothing
/// but noise is left. Used by the payee-memory baseline and as a feature.
pub fn counterparty_key(name: &str) -> Option<String> {
    let tokens = tokens(name);
    (!tokens.is_empty()).then(|| tokens.join(" "))
}

/// Lower case, with the accented letters of Western European languages
/// folded to ASCII (`café` → `cafe`) and other characters kept.
fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// The text after a `provider*` prefix, or the whole text.
fn strip_provider(text: &str) -> &str {
    let Some((prefix, rest)) = text.split_once('*') else {
        return text;
    };
    let compact: String = prefix.chars().filter(char::is_ascii_alphanumeric).collect();
    if PROVIDERS.contains(&compact.as_str()) {
        rest
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_numbers_cities_and_case_are_dropped() {
        assert_eq!(tokens("ALBERT HEIJN 1234 AMSTERDAM"), ["albert", "heijn"]);
        assert_eq!(tokens("AH to go 5521 UTRECHT"), ["ah", "to", "go"]);
    }

    #[test]
    fn provider_prefixes_are_removed_but_merchant_stars_kept() {
        assert_eq!(
            counterparty_key("CCV*BAKKERIJ LEKKER").as_deref(),
            Some("bakkerij lekker")
        );
        assert_eq!(
            counterparty_key("SumUp *Pizzeria Napoli").as_deref(),
            Some("pizzeria napoli")
        );
        assert_eq!(counterparty_key("Uber *EATS").as_deref(), Some("uber eats"));
    }

    #[test]
    fn accents_fold_and_pure_noise_has_no_key() {
        assert_eq!(tokens("Café Crème"), ["cafe", "creme"]);
        assert_eq!(counterparty_key("1234 Amsterdam NL"), None);
    }
}
