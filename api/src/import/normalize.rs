//! Normal forms of unit names, for matching only (the stored names are never changed).
//!
//! The same unit is written many ways: 市发展改革委 = 市发展和改革委员会 = 市发改委; 市资源规划局 =
//! 市自然资源和规划局; 尉氏县 = 尉氏县人民政府. The normal form folds widths, drops spaces, the
//! 市 (or 开封市) prefix and the 人民政府 suffix, and replaces the long forms of government bodies
//! by one short form, so that all of those spellings meet.

use crate::import::parse::fold;

/// Long forms of government bodies and their abbreviations, mapped to one short form. Longer
/// patterns come first so that they win over their own parts.
const BODIES: &[(&str, &str)] = &[
    ("发展和改革委员会", "发改委"),
    ("发展改革委员会", "发改委"),
    ("发展改革委", "发改委"),
    ("人力资源和社会保障局", "人社局"),
    ("人力资源社会保障局", "人社局"),
    ("住房和城乡建设局", "住建局"),
    ("住房城乡建设局", "住建局"),
    ("自然资源和规划局", "资规局"),
    ("自然资源规划局", "资规局"),
    ("资源规划局", "资规局"),
    ("工业和信息化局", "工信局"),
    ("文化广电和旅游局", "文广旅局"),
    ("文化广电旅游局", "文广旅局"),
    ("卫生健康委员会", "卫健委"),
    ("卫生健康委", "卫健委"),
    ("教育体育局", "教体局"),
    ("城市管理局", "城管局"),
    ("市场监督管理局", "市场监管局"),
    ("政务服务和大数据管理局", "政数局"),
    ("政务服务大数据管理局", "政数局"),
    ("政务服务和大数据局", "政数局"),
    ("政务服务大数据局", "政数局"),
    ("应急管理局", "应急局"),
    ("医疗保障局", "医保局"),
    ("科学技术局", "科技局"),
    ("地方金融监督管理局", "金融局"),
    ("金融工作局", "金融局"),
    ("退役军人事务局", "退役军人局"),
    ("人民防空办公室", "人防办"),
    ("网络安全和信息化委员会办公室", "网信办"),
    ("农业农村局", "农业农村局"),
];

/// The matching form of a unit name: `compact_key` with the bodies' long forms abbreviated.
pub fn unit_key(name: &str) -> String {
    let mut key = compact_key(name);
    for (long, short) in BODIES {
        if key.contains(long) {
            key = key.replace(long, short);
        }
    }
    key
}

/// Widths folded, spaces dropped, the 市 prefix and the 人民政府 suffix taken off. Similarity is
/// measured on this form, where a typo is still one edit away from the name it misspells.
pub fn compact_key(name: &str) -> String {
    let mut key: String = fold(name).chars().filter(|c| !c.is_whitespace()).collect();
    for prefix in ["开封市", "市"] {
        if let Some(rest) = key.strip_prefix(prefix)
            && !rest.is_empty()
        {
            key = rest.to_owned();
            break;
        }
    }
    for suffix in ["人民政府", "政府"] {
        if let Some(rest) = key.strip_suffix(suffix)
            && rest.chars().count() >= 2
        {
            key = rest.to_owned();
            break;
        }
    }
    key
}

/// The edit distance between two matching forms, in characters.
pub fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// Whether two matching forms are close enough to propose one for the other: one edit for
/// short names, two for long ones. A missing character (市政务服大数据局) is one edit.
pub fn is_close(a: &str, b: &str) -> bool {
    let shorter = a.chars().count().min(b.chars().count());
    let allowed = match shorter {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    };
    allowed > 0 && distance(a, b) <= allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_unit_meet() {
        let same = |a: &str, b: &str| assert_eq!(unit_key(a), unit_key(b), "{a} vs {b}");
        same("市发展改革委", "市发展和改革委员会");
        same("市发改委", "开封市发展和改革委员会");
        same("市资源规划局", "市自然资源和规划局");
        same("尉氏县", "尉氏县人民政府");
        same("市人力资源社会保障局", "市人力资源和社会保障局");
        same("市 市场监管局", "市市场监督管理局");
        same("市卫生健康委", "市卫生健康委员会");
        assert_ne!(unit_key("市财政局"), unit_key("市税务局"));
    }

    #[test]
    fn typos_are_close_but_different_units_are_not() {
        assert!(is_close(
            &compact_key("市政务服大数据局"),
            &compact_key("市政务服务大数据局")
        ));
        assert!(!is_close(
            &compact_key("市财政局"),
            &compact_key("市民政局")
        ));
        assert!(!is_close(&compact_key("杞县"), &compact_key("兰考县")));
    }
}
