//! Identities ossemu knows: accounts (uid + AccessKey) and STS temporary credentials of RAM
//! roles, each owned by an account that is charged for its requests.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Account {
    pub uid: String,
    #[serde(default)]
    pub name: String,
    pub access_key_id: String,
    pub access_key_secret: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct StsCredential {
    /// The uid of the account that owns the role; it is the one charged.
    pub account: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: String,
}

/// The `--config` file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub region: Option<String>,
    #[serde(default, rename = "account")]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub sts: Vec<StsCredential>,
}

impl ConfigFile {
    pub fn parse(text: &str) -> Result<Self, String> {
        let c: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for s in &c.sts {
            if !c.accounts.iter().any(|a| a.uid == s.account) {
                return Err(format!(
                    "sts credential {} names account {} which is not defined",
                    s.access_key_id, s.account
                ));
            }
        }
        let mut ids: Vec<&str> = c
            .accounts
            .iter()
            .map(|a| a.access_key_id.as_str())
            .collect();
        ids.extend(c.sts.iter().map(|s| s.access_key_id.as_str()));
        let n = ids.len();
        ids.sort();
        ids.dedup();
        if ids.len() != n {
            return Err("an access_key_id is defined twice".into());
        }
        Ok(c)
    }
}

/// The built-in demo identities used when no config file is given.
pub fn demo_identities() -> (Vec<Account>, Vec<StsCredential>) {
    let acct = |uid: &str, name: &str, ak: &str, sk: &str| Account {
        uid: uid.into(),
        name: name.into(),
        access_key_id: ak.into(),
        access_key_secret: sk.into(),
    };
    (
        vec![
            acct(
                "1000000000000001",
                "owner",
                "demo-owner-ak",
                "demo-owner-sk",
            ),
            acct(
                "1000000000000002",
                "requester",
                "demo-requester-ak",
                "demo-requester-sk",
            ),
            acct(
                "1000000000000003",
                "role-owner",
                "demo-role-owner-ak",
                "demo-role-owner-sk",
            ),
        ],
        vec![StsCredential {
            account: "1000000000000003".into(),
            access_key_id: "STS.demo-role-ak".into(),
            access_key_secret: "demo-role-sk".into(),
            security_token: "demo-role-token".into(),
        }],
    )
}

/// Who made a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    Anonymous,
    /// An account, directly or through an STS role it owns (`via_sts`).
    Account {
        uid: String,
        via_sts: bool,
    },
}

impl Identity {
    pub fn uid(&self) -> Option<&str> {
        match self {
            Identity::Anonymous => None,
            Identity::Account { uid, .. } => Some(uid),
        }
    }
    pub fn label(&self) -> String {
        self.uid().unwrap_or("anonymous").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_config_and_checks_references() {
        let ok = r#"
region = "cn-beijing"
[[account]]
uid = "1"
name = "owner"
access_key_id = "AK1"
access_key_secret = "SK1"
[[sts]]
account = "1"
access_key_id = "STS.AK"
access_key_secret = "STS.SK"
security_token = "TOKEN"
"#;
        let c = ConfigFile::parse(ok).unwrap();
        assert_eq!(c.region.as_deref(), Some("cn-beijing"));
        assert_eq!(c.accounts.len(), 1);
        assert_eq!(c.sts[0].account, "1");
        assert!(ConfigFile::parse(&ok.replace("account = \"1\"", "account = \"9\"")).is_err());
        assert!(ConfigFile::parse(&ok.replace("STS.AK", "AK1")).is_err());
        assert!(ConfigFile::parse("bogus = 1").is_err());
    }
}
