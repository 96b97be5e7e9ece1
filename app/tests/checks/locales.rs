//! Every locale file has exactly the keys of the English one (P4): a missing or surplus key
//! fails here, whatever the compiler's warnings say.

use std::collections::BTreeSet;

fn keys(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                keys(child, &format!("{prefix}{key}."), out);
            }
        }
        serde_json::Value::String(text) => {
            assert!(!text.trim().is_empty(), "empty translation at {prefix}");
            out.insert(prefix.trim_end_matches('.').to_string());
        }
        other => panic!("unexpected value at {prefix}: {other}"),
    }
}

fn load(locale: &str) -> BTreeSet<String> {
    let path = format!("{}/locales/{locale}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = BTreeSet::new();
    keys(&json, "", &mut out);
    out
}

#[test]
fn every_locale_has_every_key() {
    let reference = load("en");
    assert!(reference.len() > 50, "the English file looks truncated");
    for locale in ["de", "fr", "nl"] {
        let other = load(locale);
        let missing: Vec<_> = reference.difference(&other).collect();
        let surplus: Vec<_> = other.difference(&reference).collect();
        assert!(missing.is_empty(), "{locale}.json misses {missing:?}");
        assert!(
            surplus.is_empty(),
            "{locale}.json has keys English lacks: {surplus:?}"
        );
    }
}

#[test]
fn interpolations_match_english() {
    // A translation must use the same {{ variables }} as English.
    let vars = |locale: &str| -> Vec<(String, BTreeSet<String>)> {
        let path = format!("{}/locales/{locale}.json", env!("CARGO_MANIFEST_DIR"));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
        let mut out = Vec::new();
        fn walk(v: &serde_json::Value, p: &str, out: &mut Vec<(String, BTreeSet<String>)>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, c) in m {
                        walk(c, &format!("{p}{k}."), out);
                    }
                }
                serde_json::Value::String(s) => {
                    let names = s
                        .split("{{")
                        .skip(1)
                        .filter_map(|part| part.split_once("}}").map(|(n, _)| n.trim().to_string()))
                        .collect();
                    out.push((p.to_string(), names));
                }
                _ => {}
            }
        }
        walk(&json, "", &mut out);
        out.sort();
        out
    };
    let en = vars("en");
    for locale in ["de", "fr", "nl"] {
        assert_eq!(
            vars(locale),
            en,
            "{locale}.json interpolations differ from en.json"
        );
    }
}
