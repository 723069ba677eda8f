//! CRC-64/XZ (what OSS calls crc64ecma), SIMD-accelerated by the `crc64fast` crate, which
//! implements exactly this variant (reflected ECMA-182 polynomial, all-ones init and xorout).

/// Streaming CRC-64 of the bytes fed to it.
#[derive(Clone, Default)]
pub struct Crc64(crc64fast::Digest);

impl Crc64 {
    pub fn new() -> Self {
        Self(crc64fast::Digest::new())
    }
    pub fn update(&mut self, data: &[u8]) {
        self.0.write(data);
    }
    pub fn value(&self) -> u64 {
        self.0.sum64()
    }
}

/// CRC-64 of a whole buffer.
pub fn checksum(data: &[u8]) -> u64 {
    let mut c = Crc64::new();
    c.update(data);
    c.value()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shared_vectors() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/crc64.json"
        ))
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cases = v["cases"].as_array().unwrap();
        assert!(cases.len() >= 3);
        for c in cases {
            let input = c["input_ascii"].as_str().unwrap();
            let want =
                u64::from_str_radix(c["crc64"].as_str().unwrap().trim_start_matches("0x"), 16)
                    .unwrap();
            assert_eq!(super::checksum(input.as_bytes()), want, "input {input:?}");
            // Streaming in two halves gives the same value.
            let mut s = super::Crc64::new();
            let (a, b) = input.as_bytes().split_at(input.len() / 2);
            s.update(a);
            s.update(b);
            assert_eq!(s.value(), want);
        }
    }
}
