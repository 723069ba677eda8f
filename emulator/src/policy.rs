//! The bucket policy subset users write for requester pays: Effect Allow/Deny, Principal account
//! uids or `*`, Action `oss:Name` with `*`/`?` wildcards, Resource `acs:oss:*:UID:bucket/prefix*`.
//! Deny wins. Documents using anything else (Condition, NotAction...) are refused at PUT time
//! rather than half-enforced.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub allow: bool,
    pub principals: Vec<String>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or(format!("{what} must hold strings"))
            })
            .collect(),
        _ => Err(format!(
            "{what} must be a string or a non-empty array of strings"
        )),
    }
}

impl Policy {
    pub fn parse(text: &str) -> Result<Policy, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let obj = doc.as_object().ok_or("the policy must be a JSON object")?;
        for k in obj.keys() {
            if k != "Version" && k != "Statement" {
                return Err(format!("unsupported policy element {k}"));
            }
        }
        let stmts = obj
            .get("Statement")
            .and_then(Value::as_array)
            .ok_or("Statement must be an array")?;
        let mut statements = Vec::new();
        for s in stmts {
            let o = s.as_object().ok_or("each Statement must be an object")?;
            for k in o.keys() {
                if !matches!(
                    k.as_str(),
                    "Effect" | "Principal" | "Action" | "Resource" | "Sid"
                ) {
                    return Err(format!("ossemu does not support the policy element {k}"));
                }
            }
            let allow = match o.get("Effect").and_then(Value::as_str) {
                Some("Allow") => true,
                Some("Deny") => false,
                _ => return Err("Effect must be Allow or Deny".into()),
            };
            let principal = o.get("Principal").ok_or("Principal is required")?;
            let principals = match principal {
                Value::Object(m) => {
                    let mut all = Vec::new();
                    for v in m.values() {
                        all.extend(strings(v, "Principal")?);
                    }
                    all
                }
                v => strings(v, "Principal")?,
            };
            let actions = strings(o.get("Action").ok_or("Action is required")?, "Action")?;
            if actions
                .iter()
                .any(|a| !a.to_ascii_lowercase().starts_with("oss:") && a != "*")
            {
                return Err("each Action must look like oss:GetObject".into());
            }
            let resources = strings(o.get("Resource").ok_or("Resource is required")?, "Resource")?;
            if resources.iter().any(|r| !r.starts_with("acs:oss:")) {
                return Err("each Resource must look like acs:oss:*:*:bucket/*".into());
            }
            statements.push(Statement {
                allow,
                principals,
                actions,
                resources,
            });
        }
        Ok(Policy { statements })
    }

    /// `Some(true)` allowed, `Some(false)` explicitly denied, `None` no statement applies.
    /// `requester` is an account uid, or None for anonymous (which matches only `*`).
    pub fn evaluate(&self, requester: Option<&str>, action: &str, resource: &str) -> Option<bool> {
        let mut verdict = None;
        for s in &self.statements {
            let who = s
                .principals
                .iter()
                .any(|p| p == "*" || Some(p.as_str()) == requester);
            let what = s
                .actions
                .iter()
                .any(|a| wildcard(&a.to_ascii_lowercase(), &action.to_ascii_lowercase()));
            let whr = s.resources.iter().any(|r| wildcard(r, resource));
            if who && what && whr {
                if !s.allow {
                    return Some(false);
                }
                verdict = Some(true);
            }
        }
        verdict
    }
}

/// Glob match with `*` (any run) and `?` (one character).
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("acs:oss:*:*:b/*", "acs:oss:cn-hangzhou:1:b/x/y"));
        assert!(wildcard("oss:get*", "oss:getobject"));
        assert!(!wildcard("acs:oss:*:*:b/p*", "acs:oss:r:1:b/q"));
        assert!(wildcard("a?c", "abc") && !wildcard("a?c", "ac"));
    }

    #[test]
    fn deny_wins_and_principals_match() {
        let p = Policy::parse(r#"{"Version":"1","Statement":[
            {"Effect":"Allow","Principal":["2"],"Action":["oss:*Object"],"Resource":["acs:oss:*:*:b/*"]},
            {"Effect":"Deny","Principal":"*","Action":"oss:DeleteObject","Resource":"acs:oss:*:*:b/keep/*"}]}"#).unwrap();
        let r = |k: &str| format!("acs:oss:cn-hangzhou:1:b/{k}");
        assert_eq!(p.evaluate(Some("2"), "oss:GetObject", &r("x")), Some(true));
        assert_eq!(p.evaluate(Some("3"), "oss:GetObject", &r("x")), None);
        assert_eq!(p.evaluate(None, "oss:GetObject", &r("x")), None);
        assert_eq!(
            p.evaluate(Some("2"), "oss:DeleteObject", &r("keep/a")),
            Some(false)
        );
        assert_eq!(
            p.evaluate(Some("2"), "oss:ListObjects", "acs:oss:cn-hangzhou:1:b"),
            None
        );
    }

    #[test]
    fn refuses_what_it_cannot_enforce() {
        for bad in [
            "not json",
            "[]",
            r#"{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"oss:*","Resource":"acs:oss:*:*:b"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"oss:*","Resource":"acs:oss:*:*:b","Condition":{}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"acs:oss:*:*:b"}]}"#,
        ] {
            assert!(Policy::parse(bad).is_err(), "{bad}");
        }
    }
}
