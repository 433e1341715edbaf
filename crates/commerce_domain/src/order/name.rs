//! The `orderName` shown in the Toss payment window (SPEC §4): the first line's product name,
//! then `" 외 N건"` when the order holds more than one unit, N being the other units.

/// Toss's limit on `orderName`, counted in characters (Korean text is several bytes a char).
pub const MAX_ORDER_NAME_CHARS: usize = 100;

/// The payment window's name for an order whose first line is `first_product_name` and which
/// holds `total_units` units in all. At most 100 characters: the product name is shortened,
/// never the suffix.
pub fn order_name(first_product_name: &str, total_units: u32) -> String {
    let suffix = match total_units.checked_sub(1) {
        Some(others) if others > 0 => format!(" 외 {others}건"),
        _ => String::new(),
    };
    let room = MAX_ORDER_NAME_CHARS.saturating_sub(suffix.chars().count());
    let name = first_product_name.trim();
    let shortened: String = if name.chars().count() > room {
        name.chars()
            .take(room)
            .collect::<String>()
            .trim_end()
            .to_owned()
    } else {
        name.to_owned()
    };
    format!("{shortened}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unit_is_just_the_product_name() {
        assert_eq!(order_name("Classic T-Shirt", 1), "Classic T-Shirt");
    }

    #[test]
    fn one_line_of_two_units_counts_the_other_unit() {
        assert_eq!(order_name("Classic T-Shirt", 2), "Classic T-Shirt 외 1건");
    }

    #[test]
    fn several_lines_count_every_other_unit() {
        // 2 shirts + 3 mugs: the first line's name, and 4 other units.
        assert_eq!(order_name("Classic T-Shirt", 5), "Classic T-Shirt 외 4건");
    }

    #[test]
    fn a_150_character_korean_name_is_cut_to_fit_100_characters_with_its_suffix() {
        let long = "가".repeat(150);
        let name = order_name(&long, 3);
        assert_eq!(name.chars().count(), 100);
        assert!(name.ends_with(" 외 2건"));
        assert_eq!(name, format!("{} 외 2건", "가".repeat(95)));
    }

    #[test]
    fn a_150_character_name_alone_is_cut_to_100() {
        assert_eq!(order_name(&"나".repeat(150), 1), "나".repeat(100));
    }

    #[test]
    fn a_large_count_still_fits() {
        let name = order_name(&"다".repeat(150), 999 * 50);
        assert_eq!(name.chars().count(), 100);
        assert!(name.ends_with(" 외 49949건"));
    }

    #[test]
    fn white_space_left_at_the_cut_is_dropped() {
        let name = format!("{} tail", "a".repeat(94));
        assert_eq!(order_name(&name, 2), format!("{} 외 1건", "a".repeat(94)));
    }
}
