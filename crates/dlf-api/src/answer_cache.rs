//! ShowJob answers, serialized once and reused while no job definition changed.
//!
//! ShowJob is the call clients poll most, and without this cache each call reads the job from
//! the store, parses its stored document and serializes the answer (W5 in BENCHMARKS.md: store
//! round trips and JSON work were most of its cost). An answer is keyed by workspace, job name
//! and the query's options, and stamped with the store's definitions generation read *before*
//! the job was read ([`dlf_store::JobStore::definitions_generation`]). It is served only while
//! the generation is unchanged, so every job write of this server — whatever path it takes —
//! retires every answer at once: no write can be missed by a per-path invalidation. A store that
//! may share its database with other servers (PostgreSQL) offers no generation, and then nothing
//! is cached.
//!
//! The cache holds at most [`MAX_ANSWERS`]; when it is full, answers of older generations go
//! first, then all of them.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::RwLock;

/// The most answers kept (a ShowJob answer is a few kilobytes).
pub const MAX_ANSWERS: usize = 4096;

/// What a ShowJob answer depends on besides the job definitions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShowJobKey {
    pub workspace_id: String,
    pub job_name: String,
    pub version: Option<i64>,
    pub dependencies: bool,
    pub get_job_submit_version: bool,
}

/// Serialized answers with the generation they were built at.
#[derive(Default)]
pub struct AnswerCache {
    answers: RwLock<HashMap<ShowJobKey, (u64, Bytes)>>,
}

impl AnswerCache {
    /// The answer built at `generation`, if there is one.
    pub fn get(&self, key: &ShowJobKey, generation: u64) -> Option<Bytes> {
        let answers = self.answers.read().expect("answer cache lock");
        answers.get(key).filter(|(built_at, _)| *built_at == generation).map(|(_, body)| body.clone())
    }

    /// Keeps `body`, built from reads made after `generation` was read.
    pub fn put(&self, key: ShowJobKey, generation: u64, body: Bytes) {
        let mut answers = self.answers.write().expect("answer cache lock");
        if answers.len() >= MAX_ANSWERS && !answers.contains_key(&key) {
            answers.retain(|_, (built_at, _)| *built_at == generation);
            if answers.len() >= MAX_ANSWERS {
                answers.clear();
            }
        }
        answers.insert(key, (generation, body));
    }

    /// How many answers are kept.
    pub fn len(&self) -> usize {
        self.answers.read().expect("answer cache lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> ShowJobKey {
        ShowJobKey {
            workspace_id: "w".into(),
            job_name: name.into(),
            version: None,
            dependencies: false,
            get_job_submit_version: false,
        }
    }

    #[test]
    fn an_answer_serves_only_its_generation_and_its_options() {
        let cache = AnswerCache::default();
        cache.put(key("a"), 7, Bytes::from_static(b"{\"v\":1}"));
        assert_eq!(cache.get(&key("a"), 7).as_deref(), Some(&b"{\"v\":1}"[..]));
        assert_eq!(cache.get(&key("a"), 8), None, "a later generation retires the answer");
        assert_eq!(cache.get(&key("b"), 7), None);
        let with_dependencies = ShowJobKey { dependencies: true, ..key("a") };
        assert_eq!(cache.get(&with_dependencies, 7), None, "other options are other answers");
    }

    #[test]
    fn a_full_cache_drops_older_generations_first_then_everything() {
        let cache = AnswerCache::default();
        for i in 0..MAX_ANSWERS - 1 {
            cache.put(key(&format!("old{i}")), 1, Bytes::new());
        }
        cache.put(key("current"), 2, Bytes::from_static(b"c"));
        assert_eq!(cache.len(), MAX_ANSWERS);
        cache.put(key("next"), 2, Bytes::from_static(b"n"));
        assert_eq!(cache.len(), 2, "answers of generation 1 were dropped");
        assert_eq!(cache.get(&key("current"), 2).as_deref(), Some(&b"c"[..]));
        for i in 0..MAX_ANSWERS {
            cache.put(key(&format!("same{i}")), 2, Bytes::new());
        }
        assert!(cache.len() <= MAX_ANSWERS);
    }
}
