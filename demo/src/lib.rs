//! The demo county: 会昌县 on its real places (2023 codes), with made-up elders, caseworkers,
//! visits, meals and home-adaptation cases, generated deterministically from a seed.
//!
//! Two sizes: [`DemoSize::Small`] (one township, the last three months) opens the app in the
//! quick start; [`DemoSize::Full`] (19 townships and the industrial park, 277 villages, about
//! 9,000 elders, twelve months: about 100k visits and 1.2M meals) feeds the benchmarks.
//!
//! Everything is written by one fixed demo actor with fixed timestamps, so two replicas that
//! generate the same demo hold identical documents and have nothing to exchange when they sync.
//! Bulk writes go one commit per shard, as a roster import would.

mod people;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde_json::Value as Json;
use xianglin_schema::adaptation::{
    self, AdaptationCase, CaseApplication, CaseEvent, CaseStep, DocumentKind, DocumentState, PlanItem, PlanSignature,
    StepOutcome,
};
use xianglin_schema::assessment::{
    Assessment, AssessmentGroup, AssessmentItem, AssessmentReason, AssessmentStandard, RiskEvent,
};
use xianglin_schema::due::{self, VisitHistory};
use xianglin_schema::elder::{Category, Contact, EconomicStatus, Elder, LifeState, LifeStatus};
use xianglin_schema::id_number;
use xianglin_schema::meal::{
    self, Diner, Meal, MealMode, MealPoint, MealPointKind, MealSlot, ReviewDecision, SettlementReview,
    SettlementSubmission, SettlementTotals,
};
use xianglin_schema::place::{self, Place, PlaceLevel};
use xianglin_schema::policy::{self, Policy};
use xianglin_schema::record::{Gender, RecordMeta, format_datetime};
use xianglin_schema::user::{Role, User};
use xianglin_schema::visit::{CheckArea, Finding, Referral, ReferralLevel, ReferralStatus, Severity, Visit, VisitMode};

use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::projection::county_key;
use xianglin_sync::replica::{ActorId, Author, to_json};
use xianglin_sync::shard::{Month, ShardId};

pub use people::Rng;

/// 12-digit code of 会昌县.
pub const DEMO_COUNTY: &str = "360733000000";
/// The township of the small demo: 庄口镇, 13 villages.
pub const SMALL_TOWNSHIP: &str = "360733105000";
/// The elder the quick start and the end-to-end test look for.
pub const PLANTED_ELDER: &str = "张建国";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSize {
    Small,
    Full,
}

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub size: DemoSize,
    pub seed: u64,
    /// The demo's "today": visits and meals run up to this day.
    pub today: NaiveDate,
}

/// How much the generator wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub townships: usize,
    pub villages: usize,
    pub elders: usize,
    pub visits: usize,
    pub meals: usize,
    /// Home-adaptation cases (in 庄口镇 only, at different steps).
    pub cases: usize,
}

/// Generates the demo county into `replica` and signs in its township director (small) or
/// county reviewer (full).
pub fn generate(replica: &mut Replica, options: &DemoOptions) -> Result<DemoSummary> {
    let started = std::time::Instant::now();
    let mut generator = Generator::new(options);
    let summary = generator.write(replica)?;
    tracing::info!(
        townships = summary.townships,
        villages = summary.villages,
        elders = summary.elders,
        visits = summary.visits,
        meals = summary.meals,
        seconds = started.elapsed().as_secs_f64(),
        "demo county generated"
    );
    Ok(summary)
}

struct Generator {
    options: DemoOptions,
    rng: Rng,
    actor: ActorId,
    policy: Policy,
    places: Vec<Place>,
    /// ID numbers handed out so far: random elders never share one by chance, so the only
    /// duplicates in the demo are the planted ones.
    id_numbers: HashSet<String>,
}

struct Township {
    place: Place,
    villages: Vec<Place>,
    director: User,
    caseworkers: Vec<User>,
    points: Vec<MealPoint>,
}

impl Generator {
    fn new(options: &DemoOptions) -> Generator {
        let rng = Rng::new(options.seed);
        let actor = ActorId::from([b"xianglin-demo-".as_slice(), &options.seed.to_be_bytes()].concat());
        Generator {
            options: *options,
            rng,
            actor,
            policy: policy::huichang_default(),
            places: place::huichang(),
            id_numbers: HashSet::new(),
        }
    }

    fn author(&self, at: NaiveDateTime, user_id: &str) -> Author {
        Author { actor: self.actor.clone(), user_id: user_id.to_owned(), at }
    }

    /// A UUIDv7 for a record created at `at`, drawn from the seed rather than the clock.
    fn id(rng: &mut Rng, at: NaiveDateTime) -> String {
        let millis = at.and_utc().timestamp_millis().max(0) as u64;
        uuid::Builder::from_unix_timestamp_millis(millis, &rng.bytes::<10>()).into_uuid().to_string()
    }

    fn months(&self) -> Vec<Month> {
        let count = match self.options.size {
            DemoSize::Small => 3,
            DemoSize::Full => 12,
        };
        let mut month = Month::of(self.options.today);
        let mut months = vec![month];
        for _ in 1..count {
            month = month.previous();
            months.push(month);
        }
        months.reverse();
        months
    }

    fn write(&mut self, replica: &mut Replica) -> Result<DemoSummary> {
        let start = self.months()[0].first_day();
        let setup_time =
            NaiveDateTime::new(start - Duration::days(30), NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"));
        let townships = self.townships(setup_time);
        let reviewer = User {
            id: Self::id(&mut self.rng, setup_time),
            name: "钟丽华".to_owned(),
            role: Role::CountyReviewer,
            places: vec![DEMO_COUNTY.to_owned()],
            phone: Some("0797-5622100".to_owned()),
            meta: RecordMeta::created(setup_time, "county"),
        };
        self.write_county(replica, &townships, &reviewer, setup_time)?;
        let mut summary = DemoSummary { townships: townships.len(), ..DemoSummary::default() };
        for township in &townships {
            let mut diners = Vec::new();
            let mut case_candidates = Vec::new();
            let mut deceased = Vec::new();
            let mut previous_village: Vec<Elder> = Vec::new();
            for (index, village) in township.villages.iter().enumerate() {
                let caseworker = &township.caseworkers[index / VILLAGES_PER_CASEWORKER];
                let elders = self.write_village_elders(replica, township, village, setup_time)?;
                let planted = if township.place.code == SMALL_TOWNSHIP {
                    self.write_duplicates(replica, index, village, caseworker, &elders, &previous_village)?
                } else {
                    Vec::new()
                };
                if township.place.code == SMALL_TOWNSHIP && index == 0 {
                    self.write_conflicts(replica, township, village, &elders)?;
                }
                if township.place.code == SMALL_TOWNSHIP {
                    let today = self.options.today;
                    let eligible = elders.iter().filter(|elder| adaptation_eligible(&self.policy, elder, today));
                    case_candidates.extend(eligible.cloned());
                }
                summary.villages += 1;
                summary.elders += elders.len() + planted.len();
                let visited: Vec<Elder> = elders.iter().chain(&planted).cloned().collect();
                summary.visits += self.write_village_visits(replica, village, &visited, caseworker)?;
                if township.place.code == SMALL_TOWNSHIP {
                    let gone = elders.iter().filter(|elder| elder.life.state == LifeState::Deceased);
                    deceased.extend(gone.map(|elder| (elder.clone(), caseworker.clone())));
                }
                let mut rng = self.rng.derive(&format!("diners/{}", village.code));
                diners.extend(elders.iter().filter(|_| rng.chance(DINER_SHARE)).cloned());
                previous_village = elders;
            }
            summary.meals += self.write_township_meals(replica, township, &diners)?;
            if township.place.code == SMALL_TOWNSHIP {
                summary.visits += self.write_visit_after_death(replica, &deceased)?;
                summary.cases += self.write_township_cases(replica, township, &case_candidates, &reviewer)?;
            }
        }
        let signed_in = match self.options.size {
            DemoSize::Small => &townships[0].director.id,
            DemoSize::Full => &reviewer.id,
        };
        replica.set_user(signed_in)?;
        replica.set_setting(xianglin_domain::query::DEMO_SETTING, Some(&self.options.seed.to_string()))?;
        Ok(summary)
    }

    /// Two computers that changed the same field before either synced: the village's
    /// caseworker and the township's director each corrected an elder's phone (and another
    /// elder's address) differently, so the reviewer has conflicts to resolve.
    fn write_conflicts(
        &mut self,
        replica: &mut Replica,
        township: &Township,
        village: &Place,
        elders: &[Elder],
    ) -> Result<()> {
        let shard = ShardId::Elders { village: village.code.clone() };
        let at = NaiveDateTime::new(
            self.options.today - Duration::days(3),
            NaiveTime::from_hms_opt(10, 0, 0).expect("valid time"),
        );
        let caseworker = self.author(at, &township.caseworkers[0].id);
        let director = Author {
            actor: ActorId::from([b"demo-station-".as_slice(), &self.options.seed.to_be_bytes()].concat()),
            user_id: township.director.id.clone(),
            at: at + Duration::minutes(95),
        };
        let mut rng = self.rng.derive("conflicts");
        let street = village.name.replace("村委会", "村").replace("居委会", "社区");
        let phone = |rng: &mut Rng| Json::String(format!("13{}{:08}", rng.between(5, 9), rng.between(0, 99_999_999)));
        let edits = [
            (elders.get(1), "phone", phone(&mut rng), phone(&mut rng)),
            (
                elders.get(2),
                "address",
                Json::String(format!("{street}{}组{}号", rng.between(1, 9), rng.between(1, 60))),
                Json::String(format!("{street}{}组{}号", rng.between(1, 9), rng.between(1, 60))),
            ),
        ];
        for (elder, field, by_caseworker, by_director) in edits {
            let Some(elder) = elder else { continue };
            // The director's edit, made on a copy of the shard as the station's computer held it
            // before it heard of the caseworker's.
            let mut station = Replica::open_in_memory()?;
            station.apply_changes(&shard, &replica.changes_since(&shard, &[])?)?;
            let before = station.heads(&shard)?;
            station.write_field(&shard, &elder.id, field, &by_director, &director)?;
            let change = station.changes_since(&shard, &before)?;
            replica.write_field(&shard, &elder.id, field, &by_caseworker, &caseworker)?;
            replica.apply_changes(&shard, &change)?;
        }
        Ok(())
    }

    /// A visit recorded for an elder after their death, on the last day of the month just closed:
    /// the caseworker's computer had not yet heard of the death. Whatever day the demo is made,
    /// the county's checks (异常核查) then have a finding to show in the month a reviewer opens
    /// at the start of a month.
    fn write_visit_after_death(&mut self, replica: &mut Replica, deceased: &[(Elder, User)]) -> Result<usize> {
        let closed = Month::of(self.options.today).previous();
        let at = closed.last_day().and_hms_opt(10, 30, 0).expect("valid time");
        let found = deceased.iter().find(|(elder, _)| {
            elder.life.date.is_some_and(|died| died < at.date()) && elder_registered(elder) < at.date()
        });
        let Some((elder, caseworker)) = found else { return Ok(0) };
        let mut rng = self.rng.derive("visit-after-death");
        let visit = random_visit(&mut rng, elder, caseworker, at);
        replica.commit(
            &ShardId::Visits { village: elder.village_code.clone(), month: closed },
            &[(visit.id.clone(), to_json(&visit)?)],
            &self.author(at, &caseworker.id),
        )?;
        Ok(1)
    }

    /// Elders registered twice, as happens when two people keep one registry: in the small
    /// township's ninth village, an elder of the eighth registered again by another caseworker
    /// (the same ID number); in its tenth, an elder entered a second time with a mistyped ID
    /// number (the same name, birth date and village). Each is visited like any elder, so a
    /// merge has records on both sides. Away from the villages the end-to-end test counts.
    fn write_duplicates(
        &mut self,
        replica: &mut Replica,
        index: usize,
        village: &Place,
        caseworker: &User,
        elders: &[Elder],
        previous_village: &[Elder],
    ) -> Result<Vec<Elder>> {
        let active = |elders: &[Elder], nth: usize| {
            elders.iter().filter(|elder| elder.life.state == LifeState::Active).nth(nth).cloned()
        };
        let source = if index == DUPLICATE_VILLAGES[0] {
            active(previous_village, 3)
        } else if index == DUPLICATE_VILLAGES[1] {
            active(elders, 5)
        } else {
            None
        };
        let Some(source) = source else { return Ok(Vec::new()) };
        let at = NaiveDateTime::new(
            self.options.today - Duration::days(45),
            NaiveTime::from_hms_opt(15, 20, 0).expect("valid time"),
        );
        let mut rng = self.rng.derive(&format!("duplicates/{}", village.code));
        let mut twin = source.clone();
        twin.id = Self::id(&mut rng, at);
        twin.village_code = village.code.clone();
        twin.phone = Some(people::mobile(&mut rng));
        twin.address = format!("{}{}组{}号", address_name(village), rng.between(1, 9), rng.between(1, 60));
        twin.contacts = BTreeMap::new();
        twin.events = BTreeMap::new();
        twin.notes = String::new();
        twin.meta = RecordMeta::created(at, &caseworker.id);
        if index == DUPLICATE_VILLAGES[1] {
            let sequence: u16 = source.id_number[14..17].parse().unwrap_or(0);
            twin.id_number =
                id_number::compose(&source.id_number[..6], source.birth_date, sequence + 10, source.gender);
        }
        replica.commit(
            &ShardId::elders(&village.code),
            &[(twin.id.clone(), to_json(&twin)?)],
            &self.author(at, &caseworker.id),
        )?;
        Ok(vec![twin])
    }

    fn townships(&mut self, setup_time: NaiveDateTime) -> Vec<Township> {
        let in_demo: Vec<Place> = self
            .places
            .iter()
            .filter(|place| place.level == PlaceLevel::Township)
            .filter(|place| self.options.size == DemoSize::Full || place.code == SMALL_TOWNSHIP)
            .cloned()
            .collect();
        let mut townships = Vec::new();
        for place in in_demo {
            let villages: Vec<Place> = self
                .places
                .iter()
                .filter(|village| village.parent_code.as_deref() == Some(&place.code))
                .cloned()
                .collect();
            let mut rng = self.rng.derive(&format!("staff/{}", place.code));
            let person = |role: Role, places: Vec<String>, rng: &mut Rng| User {
                id: Self::id(rng, setup_time),
                name: format!("{}{}", people::surname(rng), people::younger_given_name(rng)),
                role,
                places,
                phone: Some(people::mobile(rng)),
                meta: RecordMeta::created(setup_time, "county"),
            };
            let director = person(Role::StationDirector, vec![place.code.clone()], &mut rng);
            let caseworkers: Vec<User> = villages
                .chunks(VILLAGES_PER_CASEWORKER)
                .map(|group| {
                    person(Role::Caseworker, group.iter().map(|village| village.code.clone()).collect(), &mut rng)
                })
                .collect();
            let mut points = vec![MealPoint {
                id: Self::id(&mut rng, setup_time),
                name: format!("{}敬老院助餐点", place.name.trim_end_matches("镇").trim_end_matches("乡")),
                kind: MealPointKind::NursingHome,
                township_code: place.code.clone(),
                village_code: None,
                prices: BTreeMap::from([(MealSlot::Breakfast, 500), (MealSlot::Lunch, 1200), (MealSlot::Dinner, 1000)]),
                modes: vec![MealMode::DineIn, MealMode::TakeAway, MealMode::Delivery],
                open_days: vec![1, 2, 3, 4, 5],
                closures: BTreeMap::new(),
                meta: RecordMeta::created(setup_time, &director.id),
            }];
            if let Some(village) = villages.iter().find(|village| village.name.ends_with("村委会")) {
                points.push(MealPoint {
                    id: Self::id(&mut rng, setup_time),
                    name: format!("{}互助幸福院", village.name.trim_end_matches("村委会").trim_end_matches("村")),
                    kind: MealPointKind::MutualAid,
                    township_code: place.code.clone(),
                    village_code: Some(village.code.clone()),
                    prices: BTreeMap::from([(MealSlot::Lunch, 1000)]),
                    modes: vec![MealMode::DineIn, MealMode::TakeAway],
                    open_days: vec![1, 2, 3, 4, 5],
                    closures: BTreeMap::new(),
                    meta: RecordMeta::created(setup_time, &director.id),
                });
            }
            townships.push(Township { place, villages, director, caseworkers, points });
        }
        townships
    }

    fn write_county(
        &mut self,
        replica: &mut Replica,
        townships: &[Township],
        reviewer: &User,
        at: NaiveDateTime,
    ) -> Result<()> {
        let mut records: Vec<(String, Json)> = Vec::new();
        for place in &self.places {
            records.push((county_key("place", &place.code), to_json(place)?));
        }
        records.push((county_key("policy", &self.policy.version), to_json(&self.policy)?));
        records.push((county_key("user", &reviewer.id), to_json(reviewer)?));
        for township in townships {
            records.push((county_key("user", &township.director.id), to_json(&township.director)?));
            for caseworker in &township.caseworkers {
                records.push((county_key("user", &caseworker.id), to_json(caseworker)?));
            }
        }
        replica.commit(&ShardId::county(DEMO_COUNTY), &records, &self.author(at, &reviewer.id))?;
        Ok(())
    }

    fn write_village_elders(
        &mut self,
        replica: &mut Replica,
        township: &Township,
        village: &Place,
        at: NaiveDateTime,
    ) -> Result<Vec<Elder>> {
        let mut rng = self.rng.derive(&format!("elders/{}", village.code));
        let count = rng.between(22, 43) as usize;
        let today = self.options.today;
        let mut elders = Vec::with_capacity(count + 1);
        // One person, in one village: planted in every township, they would be one ID number
        // registered twenty times over.
        if township.place.code == SMALL_TOWNSHIP
            && township.villages.first().map(|first| &first.code) == Some(&village.code)
        {
            let planted = planted_elder(&mut rng, township, village, at);
            self.id_numbers.insert(planted.id_number.clone());
            elders.push(planted);
        }
        for number in 0..count {
            let mut elder = random_elder(&mut rng, township, village, number, at, today);
            while !self.id_numbers.insert(elder.id_number.clone()) {
                let sequence: u16 = elder.id_number[14..17].parse().unwrap_or(0);
                elder.id_number =
                    id_number::compose(&elder.id_number[..6], elder.birth_date, sequence + 2, elder.gender);
            }
            elders.push(elder);
        }
        let records = elders.iter().map(|elder| Ok((elder.id.clone(), to_json(elder)?))).collect::<Result<Vec<_>>>()?;
        replica.commit(&ShardId::elders(&village.code), &records, &self.author(at, &township.director.id))?;
        Ok(elders)
    }

    /// Visits scheduled by the county's own due rules: each elder is visited when due (about
    /// one due visit in twenty is missed), and some are visited more often than required.
    fn write_village_visits(
        &mut self,
        replica: &mut Replica,
        village: &Place,
        elders: &[Elder],
        caseworker: &User,
    ) -> Result<usize> {
        let today = self.options.today;
        let policies = [self.policy.clone()];
        let mut last_visits: HashMap<String, VisitHistory> = HashMap::new();
        let mut written = 0;
        for month in self.months() {
            let mut rng = self.rng.derive(&format!("visits/{}/{month}", village.code));
            let month_start = month.first_day().and_hms_opt(8, 0, 0).expect("valid time");
            let month_end = month.last_day().and_hms_opt(18, 0, 0).expect("valid time");
            let mut visits = Vec::new();
            for elder in elders {
                // Judge dues as if the elder were still here; visits stop at moving or death.
                let mut on_registry = elder.clone();
                on_registry.life = LifeStatus::default();
                let mut cursor = month_start;
                loop {
                    let history = last_visits.get(&elder.id).copied().unwrap_or_default();
                    let Some(due) = due::next_due(&policies, &on_registry, history, cursor) else { break };
                    let mut visit_at = working_hours(due.due_at.max(cursor) + Duration::hours(rng.between(0, 40)));
                    if visit_at > month_end {
                        if cursor != month_start || !rng.chance(EXTRA_VISIT_SHARE) {
                            break;
                        }
                        visit_at = working_hours(month_start + Duration::hours(rng.between(0, 24 * 26)));
                    }
                    let gone = elder.life.date.is_some_and(|gone| gone < visit_at.date());
                    if rng.chance(MISSED_VISIT_SHARE)
                        || gone
                        || visit_at.date() >= today
                        || visit_at.date() < elder_registered(elder)
                    {
                        break;
                    }
                    let visit = random_visit(&mut rng, elder, caseworker, visit_at);
                    last_visits.insert(
                        elder.id.clone(),
                        VisitHistory {
                            last_visit: Some(visit_at),
                            last_visit_urgent: visit.worst_severity() == Severity::Urgent,
                        },
                    );
                    visits.push(visit);
                    cursor = visit_at + Duration::hours(1);
                }
            }
            if visits.is_empty() {
                continue;
            }
            written += visits.len();
            let records =
                visits.iter().map(|visit| Ok((visit.id.clone(), to_json(visit)?))).collect::<Result<Vec<_>>>()?;
            let last = visits.iter().map(|visit| visit.visited_at).max().expect("not empty");
            replica.commit(
                &ShardId::Visits { village: village.code.clone(), month },
                &records,
                &self.author(last, &caseworker.id),
            )?;
        }
        Ok(written)
    }

    /// The township's meal points and diners, a year of meals with subsidies computed as the
    /// app computes them, and the settlements: months before last approved by the county (and
    /// so locked), last month submitted and waiting, this month open.
    fn write_township_meals(&mut self, replica: &mut Replica, township: &Township, diners: &[Elder]) -> Result<usize> {
        let today = self.options.today;
        let mut written = 0;
        let mut rng = self.rng.derive(&format!("meal-points/{}", township.place.code));
        let setup = self.months()[0].first_day() - Duration::days(30);
        let setup_time = setup.and_hms_opt(10, 0, 0).expect("valid time");
        let assignment: Vec<(&Elder, &MealPoint, Diner)> = diners
            .iter()
            .map(|elder| {
                let point = rng.pick(&township.points);
                let usual_mode =
                    *rng.weighted(&[(MealMode::DineIn, 75), (MealMode::TakeAway, 15), (MealMode::Delivery, 10)]);
                let usual_mode = if point.modes.contains(&usual_mode) { usual_mode } else { MealMode::DineIn };
                let diner = Diner {
                    id: Self::id(&mut rng, setup_time),
                    point_id: point.id.clone(),
                    elder_id: elder.id.clone(),
                    enrolled_on: setup,
                    left_on: None,
                    usual_mode,
                    notes: String::new(),
                    meta: RecordMeta::created(setup_time, &township.director.id),
                };
                (elder, point, diner)
            })
            .collect();
        let mut records = Vec::new();
        for point in &township.points {
            records.push((county_key("point", &point.id), to_json(point)?));
        }
        for (_, _, diner) in &assignment {
            records.push((county_key("diner", &diner.id), to_json(diner)?));
        }
        replica.commit(
            &ShardId::township(&township.place.code),
            &records,
            &self.author(setup_time, &township.director.id),
        )?;

        let months = self.months();
        let reviewer_id = "county-reviewer".to_owned();
        let mut reviews = Vec::new();
        // Subsidised meals per elder per week, for the weekly cap.
        let mut subsidised_weeks: HashMap<(String, NaiveDate), u32> = HashMap::new();
        for (month_index, month) in months.iter().copied().enumerate() {
            for point in &township.points {
                let mut rng = self.rng.derive(&format!("meals/{}/{month}", point.id));
                let mut meals = Vec::new();
                let mut date = month.first_day();
                while date <= month.last_day() && date < today {
                    if point.closed_on(date).is_some() {
                        date += Duration::days(1);
                        continue;
                    }
                    for (elder, _, diner) in assignment.iter().filter(|(_, assigned, _)| assigned.id == point.id) {
                        if elder.life.date.is_some_and(|gone| gone <= date) {
                            continue;
                        }
                        let age = elder.age_on(date);
                        let categories = elder.categories_on(date);
                        let mut subsidised_today = 0;
                        for (slot, price) in &point.prices {
                            let appetite = match slot {
                                MealSlot::Breakfast => 0.12,
                                MealSlot::Lunch => 0.85,
                                MealSlot::Dinner => 0.18,
                            };
                            if !rng.chance(appetite) {
                                continue;
                            }
                            let mode = if rng.chance(0.9) { diner.usual_mode } else { MealMode::DineIn };
                            let week = meal::week_start(date);
                            let subsidised_this_week =
                                subsidised_weeks.get(&(elder.id.clone(), week)).copied().unwrap_or(0);
                            let answer = meal::subsidy_for(
                                &self.policy,
                                &meal::SubsidyQuestion {
                                    age,
                                    categories: &categories,
                                    economic: elder.economic_status,
                                    date,
                                    slot: *slot,
                                    mode,
                                    price: *price,
                                    subsidised_today,
                                    subsidised_this_week,
                                },
                            );
                            if answer.subsidy > 0 {
                                subsidised_today += 1;
                                *subsidised_weeks.entry((elder.id.clone(), week)).or_default() += 1;
                            }
                            let at = NaiveDateTime::new(date, NaiveTime::from_hms_opt(11, 30, 0).expect("valid time"));
                            let proxy = (mode == MealMode::TakeAway && rng.chance(0.3))
                                .then(|| format!("{}{}", elder.name.chars().next().unwrap_or('张'), "家儿媳"));
                            meals.push(Meal {
                                id: Self::id(&mut rng, at),
                                point_id: point.id.clone(),
                                elder_id: elder.id.clone(),
                                date,
                                slot: *slot,
                                mode,
                                proxy,
                                operator_id: township.director.id.clone(),
                                self_paid: answer.self_paid,
                                subsidy: answer.subsidy,
                                policy_version: answer.policy_version,
                                price: *price,
                                delivery_fee: answer.delivery_fee,
                                subsidy_note: answer.note,
                                meta: RecordMeta::created(at, &township.director.id),
                            });
                        }
                    }
                    date += Duration::days(1);
                }
                if meals.is_empty() {
                    continue;
                }
                written += meals.len();
                let shard = ShardId::meals(&township.place.code, &point.id, month);
                let mut records =
                    meals.iter().map(|meal| Ok((meal.id.clone(), to_json(meal)?))).collect::<Result<Vec<_>>>()?;
                // Months before this one are submitted at the start of the next month.
                let submitted = month_index + 1 < months.len();
                let submitted_at = NaiveDateTime::new(
                    month.last_day() + Duration::days(3),
                    NaiveTime::from_hms_opt(10, 0, 0).expect("valid time"),
                );
                let totals = demo_totals(&meals);
                let submission_id = Self::id(&mut rng, submitted_at);
                if submitted {
                    let submission = SettlementSubmission {
                        id: submission_id.clone(),
                        point_id: point.id.clone(),
                        month: month.to_string(),
                        submitted_by: township.director.id.clone(),
                        submitted_at: format_datetime(submitted_at),
                        totals: totals.clone(),
                        note: String::new(),
                        meta: RecordMeta::created(submitted_at, &township.director.id),
                    };
                    records.push((county_key("settlement", &format!("{}/{month}", point.id)), to_json(&submission)?));
                }
                let last = NaiveDateTime::new(
                    meals[meals.len() - 1].date,
                    NaiveTime::from_hms_opt(18, 0, 0).expect("valid time"),
                );
                let written_at = if submitted { submitted_at } else { last };
                replica.commit(&shard, &records, &self.author(written_at, &township.director.id))?;
                // The county approves every month but the last submitted one.
                if month_index + 2 < months.len() {
                    let reviewed_at = submitted_at + Duration::days(5);
                    let review = SettlementReview {
                        point_id: point.id.clone(),
                        month: month.to_string(),
                        decision: ReviewDecision::Approved,
                        reason: String::new(),
                        reviewed_by: reviewer_id.clone(),
                        reviewed_at: format_datetime(reviewed_at),
                        submission_id,
                        totals,
                        heads: replica.heads(&shard)?.iter().map(ToString::to_string).collect(),
                        meta: RecordMeta::created(reviewed_at, &reviewer_id),
                    };
                    reviews.push((county_key("settlement", &format!("{}/{month}", point.id)), to_json(&review)?));
                }
            }
        }
        if !reviews.is_empty() {
            let at = today.and_hms_opt(8, 0, 0).expect("valid time") - Duration::days(1);
            replica.commit(&ShardId::review(&township.place.code), &reviews, &self.author(at, &reviewer_id))?;
        }
        Ok(written)
    }
}

impl Generator {
    /// A handful of home-adaptation cases of eligible households at different steps, so the
    /// county's list is not empty: one just applied with documents missing, one at 乡镇初审, one
    /// waiting for the county, one past a return by the county at 入户评估, and one assessed,
    /// planned and signed at 施工. The county's decisions go to the township's review shard;
    /// the assessment to the elder's village shard. No attachments: the demo has no photo bytes.
    fn write_township_cases(
        &mut self,
        replica: &mut Replica,
        township: &Township,
        candidates: &[Elder],
        reviewer: &User,
    ) -> Result<usize> {
        let mut rng = self.rng.derive(&format!("adaptation/{}", township.place.code));
        let mut pool: Vec<&Elder> = candidates.iter().collect();
        let mut chosen = Vec::new();
        while chosen.len() < DEMO_CASES.len() && !pool.is_empty() {
            chosen.push(pool.remove(rng.below(pool.len() as u64) as usize));
        }
        let today = self.options.today;
        let at =
            |days_ago: i64, hour: u32| (today - Duration::days(days_ago)).and_hms_opt(hour, 0, 0).expect("valid time");
        let director = &township.director;
        let mut county_events = Vec::new();
        for (elder, plan) in chosen.iter().zip(DEMO_CASES) {
            let opened_at = at(plan.opened_days_ago, 9);
            let supporter = elder.supporters().next();
            let (applicant_name, applicant_relation) = match supporter {
                Some(contact) if plan.owner_is_child => (contact.name.clone(), contact.relation.clone()),
                _ => (elder.name.clone(), "本人".to_owned()),
            };
            let application = CaseApplication {
                dwelling_owner: if plan.owner_is_child { applicant_name.clone() } else { elder.name.clone() },
                owner_consent_needed: plan.owner_is_child,
                neighbour_consent_needed: false,
                applicant_name,
                applicant_relation,
            };
            let mut documents = adaptation::documents_for(&application, &BTreeMap::new());
            for (kind, status) in documents.iter_mut() {
                if status.state == DocumentState::Missing && (plan.all_documents || kind_given_at_first(*kind)) {
                    status.state = DocumentState::Provided;
                }
            }
            let mut case = AdaptationCase {
                id: Self::id(&mut rng, opened_at),
                elder_id: elder.id.clone(),
                village_code: elder.village_code.clone(),
                urban: adaptation::is_urban(&elder.village_code),
                application,
                documents,
                attachments: BTreeMap::new(),
                plan: BTreeMap::new(),
                plan_policy_version: None,
                plan_signed: None,
                assessment_id: None,
                notes: plan.notes.to_owned(),
                meta: RecordMeta::created(opened_at, &director.id),
            };
            let mut records = Vec::new();
            let mut written_at = opened_at;
            for (step, outcome, days_ago, notes) in plan.events {
                let event_at = at(*days_ago, 10);
                let by = if step.by_county() { &reviewer.id } else { &director.id };
                let event = CaseEvent {
                    id: Self::id(&mut rng, event_at),
                    case_id: case.id.clone(),
                    step: *step,
                    outcome: *outcome,
                    by: by.clone(),
                    at: format_datetime(event_at),
                    notes: (*notes).to_owned(),
                    meta: RecordMeta::created(event_at, by),
                };
                if step.by_county() {
                    county_events.push((county_key("case", &event.id), to_json(&event)?));
                } else {
                    records.push((county_key("event", &event.id), to_json(&event)?));
                    written_at = written_at.max(event_at);
                }
            }
            if let Some(assessed_days_ago) = plan.assessed_days_ago {
                let assessed_at = at(assessed_days_ago, 15);
                let assessment = demo_assessment(&mut rng, elder, assessed_at, &director.id);
                case.assessment_id = Some(assessment.id.clone());
                replica.commit(
                    &ShardId::elders(&elder.village_code),
                    &[(county_key("assessment", &assessment.id), to_json(&assessment)?)],
                    &self.author(assessed_at, &director.id),
                )?;
            }
            if let Some(signed_days_ago) = plan.signed_days_ago {
                for (code, quantity) in DEMO_PLAN {
                    let Some(item) = self.policy.adaptation.catalog.iter().find(|item| item.code == code) else {
                        continue;
                    };
                    case.plan.insert(
                        item.code.clone(),
                        PlanItem {
                            catalog_code: item.code.clone(),
                            quantity,
                            unit_price: item.unit_price,
                            basic: item.basic,
                        },
                    );
                }
                case.plan_policy_version = Some(self.policy.version.clone());
                case.plan_signed = Some(PlanSignature {
                    signed_on: today - Duration::days(signed_days_ago),
                    signer: elder.name.clone(),
                });
            }
            records.push((case.id.clone(), to_json(&case)?));
            replica.commit(
                &ShardId::adaptation(&case.village_code, &case.id),
                &records,
                &self.author(written_at, &director.id),
            )?;
        }
        if !county_events.is_empty() {
            let at = today.and_hms_opt(7, 30, 0).expect("valid time") - Duration::days(1);
            replica.commit(&ShardId::review(&township.place.code), &county_events, &self.author(at, &reviewer.id))?;
        }
        Ok(chosen.len())
    }
}

/// How one demo case went: when it was opened, its documents, its events (step, outcome, days
/// ago, notes), and when it was assessed and its plan signed.
struct DemoCase {
    opened_days_ago: i64,
    all_documents: bool,
    owner_is_child: bool,
    notes: &'static str,
    events: &'static [(CaseStep, StepOutcome, i64, &'static str)],
    assessed_days_ago: Option<i64>,
    signed_days_ago: Option<i64>,
}

const DEMO_CASES: [DemoCase; 5] = [
    DemoCase {
        opened_days_ago: 4,
        all_documents: false,
        owner_is_child: false,
        notes: "卫生间地面湿滑，老人曾滑倒",
        events: &[],
        assessed_days_ago: None,
        signed_days_ago: None,
    },
    DemoCase {
        opened_days_ago: 20,
        all_documents: true,
        owner_is_child: false,
        notes: "",
        events: &[(CaseStep::Application, StepOutcome::Done, 18, "材料齐全")],
        assessed_days_ago: None,
        signed_days_ago: None,
    },
    DemoCase {
        opened_days_ago: 40,
        all_documents: true,
        owner_is_child: true,
        notes: "房屋登记在儿子名下，已取得产权人同意书",
        events: &[
            (CaseStep::Application, StepOutcome::Done, 38, "材料齐全"),
            (CaseStep::TownshipReview, StepOutcome::Done, 30, "经核实，符合改造条件"),
        ],
        assessed_days_ago: None,
        signed_days_ago: None,
    },
    DemoCase {
        opened_days_ago: 62,
        all_documents: true,
        owner_is_child: false,
        notes: "",
        events: &[
            (CaseStep::Application, StepOutcome::Done, 60, "材料齐全"),
            (CaseStep::TownshipReview, StepOutcome::Done, 56, "同意上报"),
            (CaseStep::CountyReview, StepOutcome::Returned, 50, "困难证明已过期，请补充本年度低保证明"),
            (CaseStep::TownshipReview, StepOutcome::Done, 45, "已补充本年度低保证明"),
            (CaseStep::CountyReview, StepOutcome::Done, 40, "列入本年度第二批改造计划"),
        ],
        assessed_days_ago: None,
        signed_days_ago: None,
    },
    DemoCase {
        opened_days_ago: 85,
        all_documents: true,
        owner_is_child: false,
        notes: "老人独居，行走需扶墙",
        events: &[
            (CaseStep::Application, StepOutcome::Done, 83, "材料齐全"),
            (CaseStep::TownshipReview, StepOutcome::Done, 80, "同意上报"),
            (CaseStep::CountyReview, StepOutcome::Done, 72, "列入本年度第二批改造计划"),
            (CaseStep::Assessment, StepOutcome::Done, 64, "卫生间无扶手、地面湿滑；卧室床边无护栏"),
            (CaseStep::Plan, StepOutcome::Done, 55, "方案经老人签字确认"),
        ],
        assessed_days_ago: Some(65),
        signed_days_ago: Some(56),
    },
];

/// The demo's plan: catalog code and quantity (基础 items within the rural cap, one 可选).
const DEMO_PLAN: [(&str, u32); 5] = [("A01", 8), ("A13", 2), ("A17", 1), ("A11", 1), ("A20", 3)];

/// The documents a household brings the first time: the form and the ID card.
fn kind_given_at_first(kind: DocumentKind) -> bool {
    matches!(kind, DocumentKind::ApplicationForm | DocumentKind::IdCard)
}

/// Whether a demo elder's household may apply for home adaptation today.
fn adaptation_eligible(policy: &Policy, elder: &Elder, today: NaiveDate) -> bool {
    adaptation::eligibility(
        &policy.adaptation,
        &adaptation::EligibilityQuestion {
            age: elder.age_on(today),
            categories: &elder.categories_on(today),
            economic: elder.economic_status,
            life: elder.life.state,
        },
    )
    .eligible
}

/// A scored assessment of a frail elder: most items one or two points short of the maximum.
fn demo_assessment(rng: &mut Rng, elder: &Elder, at: NaiveDateTime, by: &str) -> Assessment {
    let scores = AssessmentItem::ALL
        .into_iter()
        .map(|item| {
            let short = match item.group() {
                AssessmentGroup::SelfCare | AssessmentGroup::BasicMotor => rng.between(1, 2) as u8,
                _ => rng.between(0, 1) as u8,
            };
            (item, item.max_score().saturating_sub(short))
        })
        .collect();
    Assessment {
        id: Generator::id(rng, at),
        elder_id: elder.id.clone(),
        standard: AssessmentStandard::GbT42195_2022,
        assessed_on: at.date(),
        reason: AssessmentReason::First,
        assessor: "刘敏".to_owned(),
        scores,
        coma: false,
        dementia: false,
        mental_disorder: false,
        risk_events: BTreeMap::from([(RiskEvent::Fall, 1)]),
        notes: "入户评估，卫生间与卧室为主要风险点".to_owned(),
        result: None,
        meta: RecordMeta::created(at, by),
    }
    .with_result()
}

/// The totals of a month of one point's meals, as a settlement counts them.
fn demo_totals(meals: &[Meal]) -> SettlementTotals {
    let diners: std::collections::HashSet<&str> = meals.iter().map(|meal| meal.elder_id.as_str()).collect();
    let days: std::collections::HashSet<(&str, NaiveDate)> =
        meals.iter().map(|meal| (meal.elder_id.as_str(), meal.date)).collect();
    let subsidy = meals.iter().map(|meal| meal.subsidy).sum();
    SettlementTotals {
        diners: diners.len() as u32,
        dining_days: days.len() as u32,
        meals: meals.len() as u32,
        subsidy,
        self_paid: meals.iter().map(|meal| meal.self_paid).sum(),
        adjustments: 0,
        payable: subsidy,
    }
}

const VILLAGES_PER_CASEWORKER: usize = 4;
/// The small township's villages (by index) where an elder is registered twice.
pub const DUPLICATE_VILLAGES: [usize; 2] = [9, 10];
/// Share of elders who eat at a meal point.
const DINER_SHARE: f64 = 0.46;
/// Share of due visits that did not happen (so coverage is realistic, not 100%).
const MISSED_VISIT_SHARE: f64 = 0.05;
/// Share of elders not due in a month whom the caseworker visits anyway.
const EXTRA_VISIT_SHARE: f64 = 0.6;

/// The same moment moved into working hours (08:00–17:59), on the same or the next day.
fn working_hours(at: NaiveDateTime) -> NaiveDateTime {
    let minute = at.minute();
    match at.hour() {
        8..=17 => at,
        0..=7 => at.date().and_hms_opt(8 + at.hour() % 4, minute, 0).expect("valid time"),
        _ => (at.date() + Duration::days(1)).and_hms_opt(9 + at.hour() % 4, minute, 0).expect("valid time"),
    }
}

fn elder_registered(elder: &Elder) -> NaiveDate {
    NaiveDate::parse_from_str(&elder.meta.created_at[..10], "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

/// A village as addresses name it: 洛口村委会 → 洛口村, 庄口居委会 → 庄口社区.
fn address_name(village: &Place) -> String {
    village.name.replace("村委会", "村").replace("居委会", "社区")
}

/// One elder living alone in `village`, as a caseworker registers them (`xianglin-demo old-pc`).
pub fn one_elder(rng: &mut Rng, village: &str, today: NaiveDate) -> Elder {
    let male = rng.chance(0.5);
    let gender = if male { Gender::Male } else { Gender::Female };
    let birth = today - Duration::days(rng.between(70, 85) * 365 + rng.between(0, 364));
    Elder {
        id: String::new(),
        name: format!("{}{}", people::surname(rng), people::elder_given_name(rng, male)),
        id_number: id_number::compose("360733", birth, rng.below(1000) as u16, gender),
        gender,
        birth_date: birth,
        phone: None,
        address: format!("{}组{}号", rng.between(1, 9), rng.between(1, 60)),
        village_code: village.to_owned(),
        categories: BTreeMap::from([(Category::LivingAlone, today - Duration::days(30))]),
        economic_status: EconomicStatus::None,
        life: LifeStatus::default(),
        contacts: BTreeMap::new(),
        events: BTreeMap::new(),
        notes: String::new(),
        meta: RecordMeta::default(),
    }
}

fn planted_elder(rng: &mut Rng, township: &Township, village: &Place, at: NaiveDateTime) -> Elder {
    let birth = NaiveDate::from_ymd_opt(1946, 3, 15).expect("valid date");
    let contact_id = Generator::id(rng, at);
    Elder {
        id: Generator::id(rng, at),
        name: PLANTED_ELDER.to_owned(),
        id_number: id_number::compose("362128", birth, 31, Gender::Male),
        gender: Gender::Male,
        birth_date: birth,
        phone: Some("0797-5731234".to_owned()),
        address: format!("{}{}3组12号", township.place.name, address_name(village)),
        village_code: village.code.clone(),
        categories: BTreeMap::from([(Category::LivingAlone, NaiveDate::from_ymd_opt(2019, 5, 1).expect("valid date"))]),
        economic_status: EconomicStatus::Dibao,
        life: LifeStatus::default(),
        contacts: BTreeMap::from([(
            contact_id,
            Contact {
                name: "张小明".to_owned(),
                relation: "儿子".to_owned(),
                phone: Some("13907971234".to_owned()),
                is_supporter: true,
            },
        )]),
        events: BTreeMap::new(),
        notes: "儿子在广东务工，每月回家一次".to_owned(),
        meta: RecordMeta::created(at, &township.director.id),
    }
}

fn random_elder(
    rng: &mut Rng,
    township: &Township,
    village: &Place,
    number: usize,
    at: NaiveDateTime,
    today: NaiveDate,
) -> Elder {
    let male = rng.chance(0.45);
    let gender = if male { Gender::Male } else { Gender::Female };
    let surname = people::surname(rng);
    let name = format!("{surname}{}", people::elder_given_name(rng, male));
    let age = rng.weighted(&[((60, 69), 38), ((70, 79), 34), ((80, 89), 22), ((90, 100), 6)]);
    let years = rng.between(age.0, age.1);
    let birth = (today - Duration::days(years * 365 + rng.between(0, 364)))
        .max(NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date"));
    let address_code = if rng.chance(0.7) { "362128" } else { "360733" };
    let number_id = id_number::compose(address_code, birth, rng.below(1000) as u16, gender);
    let since = |rng: &mut Rng| today - Duration::days(rng.between(60, 3650));
    let mut categories = BTreeMap::new();
    for (category, share) in [
        (Category::LivingAlone, 0.18),
        (Category::EmptyNest, 0.35),
        (Category::LeftBehind, 0.10),
        (Category::Disabled, 0.08),
        (Category::SeverelyDisabled, 0.03),
        (Category::FamilyPlanningSpecial, 0.02),
        (Category::WidowedChildless, 0.03),
    ] {
        if rng.chance(share) {
            categories.insert(category, since(rng).max(birth + Duration::days(60 * 365)));
        }
    }
    let economic_status = *rng.weighted(&[
        (EconomicStatus::None, 68),
        (EconomicStatus::TekunDispersed, 3),
        (EconomicStatus::TekunCentralized, 1),
        (EconomicStatus::Dibao, 11),
        (EconomicStatus::LowIncome, 5),
        (EconomicStatus::PovertyAlleviated, 12),
    ]);
    let life = if rng.chance(0.02) {
        LifeStatus {
            state: LifeState::Deceased,
            date: Some(today - Duration::days(rng.between(5, 300))),
            moved_to: None,
        }
    } else if rng.chance(0.01) {
        LifeStatus {
            state: LifeState::Moved,
            date: Some(today - Duration::days(rng.between(5, 300))),
            moved_to: Some("赣州市章贡区".to_owned()),
        }
    } else {
        LifeStatus::default()
    };
    let mut contacts = BTreeMap::new();
    if !categories.contains_key(&Category::WidowedChildless) {
        for _ in 0..rng.between(1, 3) {
            let relation = *rng.pick(&["儿子", "女儿", "儿子", "儿媳", "女婿"]);
            let contact_surname = if matches!(relation, "儿子" | "儿媳") { surname } else { people::surname(rng) };
            contacts.insert(
                Generator::id(rng, at),
                Contact {
                    name: format!("{contact_surname}{}", people::younger_given_name(rng)),
                    relation: relation.to_owned(),
                    phone: Some(people::mobile(rng)),
                    is_supporter: matches!(relation, "儿子" | "女儿"),
                },
            );
        }
    } else {
        contacts.insert(
            Generator::id(rng, at),
            Contact {
                name: format!("{}{}", people::surname(rng), people::younger_given_name(rng)),
                relation: "村干部".to_owned(),
                phone: Some(people::mobile(rng)),
                is_supporter: false,
            },
        );
    }
    Elder {
        id: Generator::id(rng, at),
        name,
        id_number: number_id,
        gender,
        birth_date: birth,
        phone: rng.chance(0.6).then(|| people::mobile(rng)),
        address: format!(
            "{}{}{}组{}号",
            township.place.name,
            address_name(village),
            1 + number % 9,
            rng.between(1, 60)
        ),
        village_code: village.code.clone(),
        categories,
        economic_status,
        life,
        contacts,
        events: BTreeMap::new(),
        notes: String::new(),
        meta: RecordMeta::created(at, &township.director.id),
    }
}

/// Notes a caseworker writes when an area needs attention, per area.
const ATTENTION_NOTES: [(CheckArea, &str); 8] = [
    (CheckArea::Health, "血压偏高，提醒按时服药"),
    (CheckArea::Mental, "情绪低落，独处时间较长"),
    (CheckArea::Economic, "高龄津贴本月未到账"),
    (CheckArea::Support, "子女近两月未回家探望"),
    (CheckArea::Safety, "厨房电线老化"),
    (CheckArea::Hygiene, "室内卫生较差"),
    (CheckArea::Living, "屋顶漏雨"),
    (CheckArea::Needs, "希望安装卫生间扶手"),
];

fn random_visit(rng: &mut Rng, elder: &Elder, caseworker: &User, visited_at: NaiveDateTime) -> Visit {
    let mut findings: BTreeMap<CheckArea, Finding> =
        CheckArea::ALL.iter().map(|area| (*area, Finding::default())).collect();
    let mut referrals = BTreeMap::new();
    let roll = rng.below(1000);
    if roll < 3 {
        findings.insert(
            CheckArea::Health,
            Finding {
                severity: Severity::Urgent, note: "突发胸闷气短，已拨打120并通知赡养人".to_owned()
            },
        );
    } else if roll < 23 {
        let (area, note) = *rng.pick(&ATTENTION_NOTES);
        findings.insert(area, Finding { severity: Severity::Serious, note: note.to_owned() });
        let opened_at = xianglin_schema::record::format_datetime(visited_at);
        let closed = rng.chance(0.6);
        referrals.insert(
            Generator::id(rng, visited_at),
            Referral {
                to_level: if area == CheckArea::Economic { ReferralLevel::County } else { ReferralLevel::Township },
                area,
                note: note.to_owned(),
                status: if closed { ReferralStatus::Closed } else { ReferralStatus::Open },
                opened_at: opened_at.clone(),
                opened_by: caseworker.id.clone(),
                status_changed_at: closed.then(|| opened_at.clone()),
                status_changed_by: closed.then(|| caseworker.id.clone()),
            },
        );
    } else if roll < 140 {
        let (area, note) = *rng.pick(&ATTENTION_NOTES);
        findings.insert(area, Finding { severity: Severity::Attention, note: note.to_owned() });
    }
    Visit {
        id: Generator::id(rng, visited_at),
        elder_id: elder.id.clone(),
        village_code: elder.village_code.clone(),
        visited_at,
        mode: *rng.weighted(&[(VisitMode::Home, 80), (VisitMode::Phone, 15), (VisitMode::Video, 5)]),
        visitor_id: caseworker.id.clone(),
        findings,
        referrals,
        major_event: false,
        photos: BTreeMap::new(),
        notes: String::new(),
        meta: RecordMeta::created(visited_at, &caseworker.id),
    }
}
