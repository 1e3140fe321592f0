//! The list filters take numbers straight from the query string: whatever they are, the answer
//! is a page or a clear DLF error — never a panic, and never a window wider than the rules allow
//! because a subtraction wrapped (`minPlanTime=-9e18&maxPlanTime=9e18` once escaped the 7-day
//! limit that way).

mod support;

use dlf_engine::{InstanceListQuery, JobListQuery};
use proptest::prelude::*;
use support::TestEngine;

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

fn any_bound() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        Just(None),
        any::<i64>().prop_map(Some),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), Just(-1), Just(WEEK_MS), Just(WEEK_MS + 1)].prop_map(Some),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn the_wrapping_window_of_the_issue_is_refused() {
    let rt = runtime();
    rt.block_on(async {
        let t = TestEngine::start().await;
        let q = InstanceListQuery {
            min_plan_time: Some(-9_000_000_000_000_000_000),
            max_plan_time: Some(9_000_000_000_000_000_000),
            ..Default::default()
        };
        let err = t.engine.list_instances(&t.tenant, &q).await.unwrap_err();
        assert_eq!(err.code.code(), "DLF.3051");
        assert!(err.message.contains("7 days"), "{}", err.message);
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn instance_list_filters_never_panic_or_wrap(
        min in any_bound(), max in any_bound(), offset in any_bound(), limit in any_bound(), instance_type in any_bound(),
    ) {
        let rt = runtime();
        rt.block_on(async {
            let t = TestEngine::start().await;
            let q = InstanceListQuery { min_plan_time: min, max_plan_time: max, offset, limit, instance_type, ..Default::default() };
            match t.engine.list_instances(&t.tenant, &q).await {
                Ok(_) => {
                    // Accepted: then the window the caller gave is within the limit for real.
                    if let (Some(min), Some(max)) = (min, max) {
                        assert!(min <= max && (max as i128 - min as i128) <= WEEK_MS as i128, "{min} {max}");
                    }
                    assert!(offset.unwrap_or(0) >= 0);
                }
                Err(e) => assert_eq!(e.code.code(), "DLF.3051", "{}", e.message),
            }
        });
    }

    #[test]
    fn job_list_paging_never_panics(offset in any_bound(), limit in any_bound()) {
        let rt = runtime();
        rt.block_on(async {
            let t = TestEngine::start().await;
            let q = JobListQuery { offset, limit, ..Default::default() };
            if let Err(e) = t.engine.list_jobs(&t.tenant, &q).await {
                assert_eq!(e.code.code(), "DLF.3051", "{}", e.message);
            }
        });
    }
}
