//! R1–R5 and the object store extension through the router: round trips, every validation
//! rule with its code (and nothing changed), the delete-in-use refusal, object keys that try to
//! leave their bucket, and projects that cannot see each other's objects or resources.

mod common;

use common::{PROJECT, TestServer, body, job, v1};
use serde_json::{Value, json};

const OTHER_PROJECT: &str = "ffffffffffffffffffffffffffffffff";

fn resource(name: &str, location: &str) -> Value {
    json!({"name": name, "type": "file", "location": location, "desc": "a helper", "directory": "/tools",
           "dependFiles": ["obs://dlf-test/depend1.jar"]})
}

async fn create(s: &TestServer, v: &Value) -> String {
    let reply = s.call("POST", &v1("/resources"), &body(v)).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()["resourceId"].as_str().expect("resourceId").to_string()
}

async fn show(s: &TestServer, id: &str) -> Value {
    let reply = s.call("GET", &v1(&format!("/resources/{id}")), b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

fn object(project: &str, rest: &str) -> String {
    format!("/x/v1/{project}/objects/{rest}")
}

#[tokio::test]
async fn create_list_show_update_delete() {
    let s = TestServer::start().await;
    let id = create(&s, &resource("helper", "obs://tools/helper.sh")).await;
    let shown = show(&s, &id).await;
    assert_eq!(
        shown,
        json!({"id": id, "name": "helper", "type": "file", "location": "obs://tools/helper.sh",
               "dependFiles": ["obs://dlf-test/depend1.jar"], "desc": "a helper", "directory": "/tools",
               "jobRelation": []})
    );
    for name in ["b_res", "a-res", "资源"] {
        create(&s, &json!({"name": name, "type": "jar", "location": "obs://b/x.jar"})).await;
    }
    let page = s.call("GET", &v1("/resources?offset=1&limit=2"), b"").await.json();
    assert_eq!(page["total"], 4);
    let names: Vec<&str> = page["resources"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["b_res", "helper"], "by name, row offset");
    assert!(page["resources"][0]["id"].is_string());
    let found = s.call("GET", &v1("/resources?resourceName=elp"), b"").await.json();
    assert_eq!((found["total"].as_i64(), found["resources"][0]["id"].as_str()), (Some(1), Some(id.as_str())));
    let first = s.call("GET", &v1("/resources"), b"").await.json();
    assert_eq!(first["resources"][0]["directory"], "/", "the default directory");

    // R4: the fields sent replace the stored ones; the rest stays.
    let path = v1(&format!("/resources/{id}"));
    let reply =
        s.call("PUT", &path, &body(&json!({"name": "helper2", "type": "file", "location": "obs://tools/v2.sh"}))).await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
    let shown = show(&s, &id).await;
    assert_eq!((shown["name"].as_str(), shown["location"].as_str()), (Some("helper2"), Some("obs://tools/v2.sh")));
    assert_eq!((shown["desc"].as_str(), shown["directory"].as_str()), (Some("a helper"), Some("/tools")));
    assert_eq!(s.call("PUT", &path, b"").await.status, 204, "an empty body changes nothing");
    assert_eq!(show(&s, &id).await, shown);

    assert_eq!(s.call("DELETE", &path, b"").await.status, 204);
    s.call("GET", &path, b"").await.assert_error(400, "DLF.6241");
    s.call("DELETE", &path, b"").await.assert_error(400, "DLF.6241");
    s.call("PUT", &path, &body(&json!({"desc": "x"}))).await.assert_error(400, "DLF.6241");
    assert_eq!(s.call("GET", &v1("/resources"), b"").await.json()["total"], 3);
}

#[tokio::test]
async fn every_rule_has_its_code_and_bad_input_changes_nothing() {
    let s = TestServer::start().await;
    let id = create(&s, &resource("helper", "obs://tools/helper.sh")).await;
    let bad = |patch: Value| {
        let mut v = resource("other", "obs://tools/o.sh");
        for (k, val) in patch.as_object().unwrap() {
            if val.is_null() {
                v.as_object_mut().unwrap().remove(k);
            } else {
                v[k] = val.clone();
            }
        }
        v
    };
    let cases = [
        (json!({"name": "helper"}), "DLF.6259"),
        (json!({"name": null}), "DLF.3051"),
        (json!({"name": ""}), "DLF.3051"),
        (json!({"name": "a".repeat(33)}), "DLF.3051"),
        (json!({"name": "a b"}), "DLF.3051"),
        (json!({"name": "a/b"}), "DLF.3051"),
        (json!({"type": "exe"}), "DLF.6263"),
        (json!({"type": null}), "DLF.6263"),
        (json!({"location": null}), "DLF.6264"),
        (json!({"location": "x".repeat(1024)}), "DLF.6264"),
        (json!({"location": "obs://tools/../secret"}), "DLF.6264"),
        (json!({"location": "obs://tools"}), "DLF.6264"),
        (json!({"desc": "d".repeat(256)}), "DLF.6265"),
        (json!({"dependFiles": [""]}), "DLF.6264"),
        (json!({"dependFiles": vec!["obs://b/".to_string() + &"k".repeat(990); 11]}), "DLF.3051"),
        (json!({"dependPackages": [{"type": "jar"}]}), "DLF.6264"),
        (json!({"dependFiles": "obs://b/k"}), "DLF.3051"),
    ];
    for (patch, code) in cases {
        let reply = s.call("POST", &v1("/resources"), &body(&bad(patch.clone()))).await;
        reply.assert_error(400, code);
    }
    s.call("POST", &v1("/resources"), b"{not json").await.assert_error(400, "DLF.3051");
    assert_eq!(s.call("GET", &v1("/resources"), b"").await.json()["total"], 1, "nothing was created");
    for q in ["limit=0", "limit=101", "offset=-1", "limit=x"] {
        s.call("GET", &v1(&format!("/resources?{q}")), b"").await.assert_error(400, "DLF.3051");
    }

    // R4: the same rules, and type and directory are fixed.
    create(&s, &resource("taken", "obs://tools/t.sh")).await;
    let before = show(&s, &id).await;
    let path = v1(&format!("/resources/{id}"));
    for (change, code) in [
        (json!({"name": "taken"}), "DLF.6259"),
        (json!({"type": "jar"}), "DLF.3051"),
        (json!({"directory": "/elsewhere"}), "DLF.3051"),
        (json!({"location": ""}), "DLF.6264"),
        (json!({"desc": "d".repeat(256)}), "DLF.6265"),
        (json!({"name": "bad name"}), "DLF.3051"),
    ] {
        s.call("PUT", &path, &body(&change)).await.assert_error(400, code);
    }
    assert_eq!(show(&s, &id).await, before, "nothing changed");
}

#[tokio::test]
async fn a_resource_used_by_a_job_cannot_be_deleted_or_renamed() {
    let s = TestServer::start().await;
    let id = create(&s, &resource("helper", "obs://tools/helper.sh")).await;
    let jar = create(&s, &json!({"name": "etl_jar", "type": "jar", "location": "obs://jars/etl.jar"})).await;
    let shell = json!({"name": "use", "type": "Shell", "location": {"x": "0", "y": "0"},
                       "properties": [{"name": "statement", "value": "cat helper.sh"},
                                      {"name": "resources", "value": "other, helper"}]});
    let spark = json!({"name": "spark", "type": "MRSSpark", "location": {"x": "0", "y": "0"},
                       "properties": [{"name": "clusterName", "value": "c"}, {"name": "jobName", "value": "j"},
                                      {"name": "parameters", "value": "p"},
                                      {"name": "resourcePath", "value": "obs://jars/etl.jar"}]});
    for (name, node) in [("uses_helper", shell), ("uses_jar", spark)] {
        let reply = s.call("POST", &v1("/jobs"), &body(&job(name, json!([node])))).await;
        assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
    }
    let msg = s.call("DELETE", &v1(&format!("/resources/{id}")), b"").await.assert_error(400, "DLF.3051");
    assert!(msg.contains("uses_helper") && !msg.contains("uses_jar"), "{msg}");
    let msg = s.call("DELETE", &v1(&format!("/resources/{jar}")), b"").await.assert_error(400, "DLF.3051");
    assert!(msg.contains("uses_jar"), "{msg}");
    let renamed = body(&json!({"name": "helper_v2"}));
    s.call("PUT", &v1(&format!("/resources/{id}")), &renamed).await.assert_error(400, "DLF.3051");
    let shown = show(&s, &id).await;
    assert_eq!(shown["name"], "helper", "nothing changed");
    assert_eq!(shown["jobRelation"][0]["taskName"], "uses_helper");
    assert_eq!(shown["jobRelation"][0]["relationType"], "job");
    // A change that keeps the name is fine while in use.
    let moved = body(&json!({"location": "obs://tools/helper-v2.sh"}));
    assert_eq!(s.call("PUT", &v1(&format!("/resources/{id}")), &moved).await.status, 204);

    // Once no job uses it, it goes.
    assert_eq!(s.call("DELETE", &v1("/jobs/uses_helper"), b"").await.status, 204);
    assert_eq!(s.call("DELETE", &v1(&format!("/resources/{id}")), b"").await.status, 204);
}

#[tokio::test]
async fn objects_are_uploaded_and_read_back_and_keys_cannot_leave_their_bucket() {
    let s = TestServer::start().await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let reply = s.call("PUT", &object(PROJECT, "tools/dir/helper.bin"), &bytes).await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
    let got = s.call("GET", &object(PROJECT, "tools/dir/helper.bin"), b"").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.headers["content-type"], "application/octet-stream");
    assert_eq!(got.body, bytes);
    // Replaced whole.
    assert_eq!(s.call("PUT", &object(PROJECT, "tools/dir/helper.bin"), b"v2").await.status, 204);
    assert_eq!(s.call("GET", &object(PROJECT, "tools/dir/helper.bin"), b"").await.body, b"v2");
    let on_disk = s.dir.path().join("data/objects").join(PROJECT).join("tools/dir/helper.bin");
    assert_eq!(std::fs::read(on_disk).unwrap(), b"v2", "the documented layout");

    let missing = s.call("GET", &object(PROJECT, "tools/nothing"), b"").await.assert_error(400, "DLF.3051");
    assert!(missing.contains("does not exist"), "{missing}");
    for bad in ["tools/a/../b", "tools/%2E%2E/b", "tools//abs", "tools/a/./b", "..%2Fdata/x", "tools/a%5Cb", "tools/a/"]
    {
        let reply = s.call("PUT", &object(PROJECT, bad), b"x").await;
        assert_eq!(reply.status.as_u16(), 400, "{bad}: {}", String::from_utf8_lossy(&reply.body));
        s.call("GET", &object(PROJECT, bad), b"").await.assert_error(400, "DLF.3051");
    }
    // A key under an existing object, and an object where keys go under.
    s.call("PUT", &object(PROJECT, "tools/dir/helper.bin/x"), b"x").await.assert_error(400, "DLF.3051");
    s.call("PUT", &object(PROJECT, "tools/dir"), b"x").await.assert_error(400, "DLF.3051");
    assert_eq!(s.call("GET", &object(PROJECT, "tools/dir/helper.bin"), b"").await.body, b"v2");
    // Nothing outside the project's directory was written.
    let objects = s.dir.path().join("data/objects");
    let mut top: Vec<String> =
        std::fs::read_dir(&objects).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    top.sort();
    assert_eq!(top, [".tmp", PROJECT]);
    assert_eq!(std::fs::read_dir(objects.join(".tmp")).unwrap().count(), 0, "no temporary file left");
}

#[tokio::test]
async fn an_object_over_the_cap_is_refused() {
    let s = TestServer::start().await;
    let cap = s.engine.config().object_max_bytes as usize;
    // The request itself is refused before its body is read (its declared length is too large).
    let reply = s.call("PUT", &object(PROJECT, "b/big"), &vec![0u8; cap + 1]).await;
    reply.assert_error(413, "APIGW.0201");
    s.call("GET", &object(PROJECT, "b/big"), b"").await.assert_error(400, "DLF.3051");
}

#[tokio::test]
async fn projects_cannot_see_each_others_objects_or_resources() {
    let s = TestServer::start().await;
    assert_eq!(s.call("PUT", &object(PROJECT, "shared/secret.txt"), b"A's data").await.status, 204);
    let id = create(&s, &resource("secret", "obs://shared/secret.txt")).await;
    let key = s.engine.create_access_key(Some(OTHER_PROJECT), "eve").await.unwrap();
    let as_b = |method: &'static str, path: String, payload: Vec<u8>| {
        let key = &key;
        let s = &s;
        async move {
            s.signed_as(&key.access_key, &key.secret_key, method, &path, &[("X-Project-Id", OTHER_PROJECT)], &payload)
                .await
        }
    };
    // B's key is not valid for A's project at all.
    as_b("GET", object(PROJECT, "shared/secret.txt"), vec![]).await.assert_error(403, "APIGW.0302");
    // The same address in B's project is B's own (empty) store.
    as_b("GET", object(OTHER_PROJECT, "shared/secret.txt"), vec![]).await.assert_error(400, "DLF.3051");
    assert_eq!(as_b("PUT", object(OTHER_PROJECT, "shared/secret.txt"), b"B's".to_vec()).await.status, 204);
    assert_eq!(s.call("GET", &object(PROJECT, "shared/secret.txt"), b"").await.body, b"A's data");
    // A's resource does not exist for B, and B's resources do not show in A.
    as_b("GET", format!("/v1/{OTHER_PROJECT}/resources/{id}"), vec![]).await.assert_error(400, "DLF.6241");
    as_b("DELETE", format!("/v1/{OTHER_PROJECT}/resources/{id}"), vec![]).await.assert_error(400, "DLF.6241");
    let listed = as_b("GET", format!("/v1/{OTHER_PROJECT}/resources"), vec![]).await.json();
    assert_eq!(listed["total"], 0);
    assert_eq!(show(&s, &id).await["name"], "secret");
}

#[tokio::test]
async fn objects_need_a_signature() {
    let s = TestServer::start().await;
    let request = axum::http::Request::builder()
        .method("GET")
        .uri(object(PROJECT, "b/k"))
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = s.send(request).await;
    assert_eq!(reply.status.as_u16(), 401);
}
