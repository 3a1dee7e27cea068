//! What makes two usernames the same name: `key` normalises a username to NFKC, folds its case,
//! and reduces it to its Unicode confusables skeleton (UTS #39), so that `Admin`, `ＡＤＭＩＮ`
//! and a Cyrillic `аdmin` all have the key of `admin`. The key is stored beside the name
//! (`users.username_key`, unique): look-alike accounts cannot be created, and sign-in finds an
//! account by the key of what was typed. The name itself is kept as written.

use unicode_normalization::UnicodeNormalization;

/// The comparison key of a username.
pub fn key(username: &str) -> String {
    let folded: String = username.trim().nfkc().collect::<String>().to_lowercase();
    unicode_security::skeleton(&folded)
        .collect::<String>()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn look_alikes_share_a_key_and_distinct_names_do_not() {
        let admin = key("admin");
        for same in [
            "Admin",
            "ADMIN",
            " admin ",
            "ａｄｍｉｎ",
            "\u{430}dmin",
            "аdmіn",
        ] {
            assert_eq!(key(same), admin, "{same}");
        }
        assert_ne!(key("admin2"), admin);
        assert_ne!(key("fgw"), key("fgv"));
        // Chinese names are names like any other.
        assert_eq!(key("督查局"), key("督查局"));
        assert_ne!(key("督查局"), key("督察局"));
    }
}
