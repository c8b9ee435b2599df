//! Made-up people for the demo county: a deterministic random source, names in the proportions
//! of southern Jiangxi surnames, phone numbers, and given names of the elders' generation.

/// SplitMix64: small, fast, and the same numbers from the same seed on every platform and
/// dependency version, which is what a reproducible demo county needs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A generator for one part of the county, independent of how much other parts drew.
    pub fn derive(&self, label: &str) -> Rng {
        let mut hash = self.0;
        for byte in label.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3);
        }
        Rng::new(hash)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as u64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An item picked with the weights given beside each.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.below(u64::from(total)) as u32;
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[items.len() - 1].0
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }
}

/// Surnames of 赣南 (Hakka country) with rough weights.
const SURNAMES: [(&str, u32); 28] = [
    ("刘", 90),
    ("陈", 80),
    ("李", 70),
    ("曾", 60),
    ("钟", 55),
    ("赖", 50),
    ("谢", 50),
    ("王", 45),
    ("张", 45),
    ("黄", 40),
    ("邱", 35),
    ("温", 35),
    ("朱", 30),
    ("罗", 30),
    ("肖", 30),
    ("林", 25),
    ("郭", 25),
    ("胡", 25),
    ("廖", 25),
    ("周", 20),
    ("吴", 20),
    ("杨", 20),
    ("严", 15),
    ("蓝", 12),
    ("欧阳", 10),
    ("邓", 15),
    ("何", 15),
    ("卢", 12),
];

const MALE_GIVEN: [&str; 40] = [
    "建国", "国华", "德明", "桂生", "水生", "发林", "长根", "永福", "金山", "春生", "福生", "木生", "观保", "德胜",
    "振华", "光明", "友生", "才旺", "火生", "新民", "解放", "保华", "明亮", "家兴", "忠", "勇", "华", "平", "斌", "伟",
    "荣发", "启元", "守仁", "炳坤", "显堃", "满堂", "兴旺", "庆祥", "秋生", "冬生",
];

const FEMALE_GIVEN: [&str; 40] = [
    "桂英", "秀兰", "玉兰", "桂香", "春梅", "冬梅", "凤英", "秀英", "金花", "满妹", "招娣", "来娣", "九妹", "细妹",
    "月英", "荷花", "菊英", "莲英", "翠兰", "玉梅", "淑珍", "桂兰", "秀珍", "美英", "三妹", "银花", "腊梅", "凤娇",
    "兰", "英", "芳", "梅", "珍", "秀", "桂芳", "玉珍", "水娣", "福娣", "春兰", "素贞",
];

const YOUNGER_GIVEN: [&str; 20] = [
    "小明", "志强", "海燕", "丽华", "建华", "红梅", "文斌", "春燕", "永红", "卫东", "晓东", "丽萍", "国庆", "军", "敏",
    "静", "伟华", "小红", "志勇", "美玲",
];

pub fn surname(rng: &mut Rng) -> &'static str {
    let surname: &&str = rng.weighted(&SURNAMES);
    surname
}

pub fn elder_given_name(rng: &mut Rng, male: bool) -> &'static str {
    let given: &&str = if male { rng.pick(&MALE_GIVEN) } else { rng.pick(&FEMALE_GIVEN) };
    given
}

pub fn younger_given_name(rng: &mut Rng) -> &'static str {
    let given: &&str = rng.pick(&YOUNGER_GIVEN);
    given
}

/// A mainland mobile number.
pub fn mobile(rng: &mut Rng) -> String {
    let second = *rng.pick(&[3u8, 5, 7, 8, 9]);
    format!("1{second}{:09}", rng.below(1_000_000_000))
}
