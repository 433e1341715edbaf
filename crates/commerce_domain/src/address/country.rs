//! ISO 3166-1 alpha-2 country codes.

use std::fmt;

/// Every officially assigned ISO 3166-1 alpha-2 code, two letters each, in order.
const ASSIGNED: &str = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ\
CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGN\
GPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULV\
LYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPT\
PWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUS\
UYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/// Why a country code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO 3166-1 alpha-2 country code")]
pub struct InvalidCountryCode;

/// An assigned ISO 3166-1 alpha-2 country code, stored upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// South Korea, where the storefronts sell.
    pub const KR: CountryCode = CountryCode(*b"KR");

    /// Parses a code, accepting lower case.
    ///
    /// # Errors
    /// [`InvalidCountryCode`] for anything but an assigned two-letter code.
    pub fn parse(raw: &str) -> Result<Self, InvalidCountryCode> {
        let upper = raw.trim().to_ascii_uppercase();
        let code: [u8; 2] = upper
            .as_bytes()
            .try_into()
            .map_err(|_| InvalidCountryCode)?;
        let assigned = ASSIGNED
            .as_bytes()
            .chunks_exact(2)
            .any(|pair| pair == code.as_slice());
        if assigned {
            Ok(CountryCode(code))
        } else {
            Err(InvalidCountryCode)
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_249_sorted_codes() {
        let codes: Vec<&[u8]> = ASSIGNED.as_bytes().chunks_exact(2).collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn accepts_assigned_codes_in_any_case() {
        assert_eq!(CountryCode::parse("kr"), Ok(CountryCode::KR));
        assert_eq!(CountryCode::parse("US").unwrap().as_str(), "US");
    }

    #[test]
    fn refuses_unassigned_and_malformed_codes() {
        for raw in ["XX", "K", "KOR", "", "한국", "1A"] {
            assert_eq!(CountryCode::parse(raw), Err(InvalidCountryCode), "{raw}");
        }
    }
}
