//! Ranking on a realistic catalog, the tokenizer and the edge cases.

use serde_json::Value;

use super::super::{CatalogTool, Namespace};
use super::text::{STOPWORD_MAX_LEN, STOPWORDS, terms_of};
use super::{Hit, MAX_QUERY_BYTES, SearchIndex};

const FIXTURE: &str = include_str!("../../../../tests/fixtures/catalog/realistic.json");

/// The fixture's servers as namespaces: JavaScript names as the catalog
/// would give them, but camelCase for hyphenated tool names
/// (`list-events` -> `listEvents`).
fn namespaces(json: &str) -> Vec<Namespace> {
    let servers: Vec<Value> = serde_json::from_str(json).unwrap();
    servers
        .iter()
        .map(|server| {
            let name = server["server"].as_str().unwrap();
            let tools = server["tools"].as_array().unwrap().iter().map(tool).collect();
            Namespace { name: js_name(name), server: name.to_owned(), instructions: None, unavailable: None, tools }
        })
        .collect()
}

fn tool(tool: &Value) -> CatalogTool {
    let original = tool["name"].as_str().unwrap();
    let name = if original.contains('-') {
        original
            .split('-')
            .enumerate()
            .map(|(i, part)| if i == 0 { part.to_owned() } else { capitalize(part) })
            .collect()
    } else {
        js_name(original)
    };
    CatalogTool {
        name,
        original: original.to_owned(),
        title: tool["title"].as_str().map(str::to_owned),
        description: tool["description"].as_str().map(str::to_owned),
        input_schema: tool["inputSchema"].clone(),
        output_schema: None,
        approval: false,
    }
}

fn js_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '$' { c } else { '_' }).collect()
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn fixture() -> (Vec<Namespace>, SearchIndex) {
    let namespaces = namespaces(FIXTURE);
    let index = SearchIndex::new(&namespaces);
    (namespaces, index)
}

fn qualified(namespaces: &[Namespace], hit: &Hit) -> String {
    let namespace = &namespaces[hit.namespace];
    format!("{}.{}", namespace.name, namespace.tools[hit.tool].name)
}

fn top(namespaces: &[Namespace], index: &SearchIndex, query: &str, n: usize) -> Vec<String> {
    index.search(query, n).iter().map(|hit| qualified(namespaces, hit)).collect()
}

fn terms(text: &str) -> Vec<String> {
    terms_of(text)
}

#[test]
fn fixture_is_realistic() {
    let (namespaces, _) = fixture();
    assert!(namespaces.len() >= 8);
    assert!(namespaces.iter().map(|ns| ns.tools.len()).sum::<usize>() >= 60);
}

#[test]
fn realistic_queries_find_the_right_tool_first() {
    let (namespaces, index) = fixture();
    let table = [
        ("create a github issue", "github.create_issue"),
        ("read file contents", "filesystem.read_file"),
        ("send message to channel", "slack.slack_post_message"),
        ("run sql query", "postgres.query"),
        ("list calendar events next week", "google_calendar.listEvents"),
        ("search the web", "brave_search.brave_web_search"),
        ("restaurants near me", "brave_search.brave_local_search"),
        ("fetch a web page as markdown", "fetch.fetch"),
        ("write a file", "filesystem.write_file"),
        ("rename a file", "filesystem.move_file"),
        ("show the directory tree", "filesystem.directory_tree"),
        ("reply in a slack thread", "slack.slack_reply_to_thread"),
        ("add emoji reaction", "slack.slack_add_reaction"),
        ("send an email", "gmail.send_email"),
        ("search my emails", "gmail.search_emails"),
        ("describe table columns", "postgres.describe_table"),
        ("explain query plan", "postgres.explain_query"),
        ("refund a payment", "stripe.create_refund"),
        ("cancel subscription", "stripe.cancel_subscription"),
        ("create invoice for customer", "stripe.create_invoice"),
        ("current time in tokyo", "time.get_current_time"),
        ("am I free or busy on friday", "google_calendar.getFreebusy"),
        ("merge a pull request", "github.merge_pull_request"),
        ("fork repo", "github.fork_repository"),
        ("comment on a github issue", "github.add_issue_comment"),
        ("linear create issue", "linear.linear_create_issue"),
        ("linear issues assigned to me", "linear.linear_get_user_issues"),
        ("search knowledge graph nodes", "memory.search_nodes"),
        ("add observations to an entity", "memory.add_observations"),
        ("delete a calendar event", "google_calendar.deleteEvent"),
        // Exact names, in every spelling.
        ("create_pull_request", "github.create_pull_request"),
        ("github.merge_pull_request", "github.merge_pull_request"),
        ("google-calendar.create-event", "google_calendar.createEvent"),
        ("create-event", "google_calendar.createEvent"),
        ("createEvent", "google_calendar.createEvent"),
        ("listPullRequests", "github.list_pull_requests"),
        ("list-pull-requests", "github.list_pull_requests"),
        ("SLACK_POST_MESSAGE", "slack.slack_post_message"),
        ("query", "postgres.query"),
        // Server names: the server's first tool.
        ("stripe", "stripe.create_customer"),
        ("Linear", "linear.linear_create_issue"),
        ("google calendar", "google_calendar.listCalendars"),
        ("brave-search", "brave_search.brave_web_search"),
    ];
    let mut failures = Vec::new();
    for (query, expected) in table {
        let got = top(&namespaces, &index, query, 3);
        if got.first().map(String::as_str) != Some(expected) {
            failures.push(format!("{query:?}: expected {expected}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {}:\n{}", failures.len(), table.len(), failures.join("\n"));
}

#[test]
fn a_server_name_lists_its_tools_in_order_first() {
    let (namespaces, index) = fixture();
    for (n, namespace) in namespaces.iter().enumerate() {
        for query in [namespace.name.as_str(), namespace.server.as_str()] {
            let hits = index.search(query, 100);
            let tools: Vec<usize> = hits.iter().take_while(|hit| hit.namespace == n).map(|hit| hit.tool).collect();
            // `fetch` is also a tool's name, which comes first anyway.
            assert_eq!(tools, (0..namespace.tools.len()).collect::<Vec<_>>(), "{query}");
        }
    }
}

#[test]
fn naming_a_server_favours_its_tools() {
    let (namespaces, index) = fixture();
    let got = top(&namespaces, &index, "github create issue", 3);
    assert_eq!(got[0], "github.create_issue");
    assert!(got.iter().all(|name| name.starts_with("github.")), "{got:?}");
    let got = top(&namespaces, &index, "create issue linear", 1);
    assert_eq!(got, ["linear.linear_create_issue"]);
}

#[test]
fn scores_never_increase() {
    let (_, index) = fixture();
    for query in ["github create issue", "file", "slack", "create", "list_issues", "time zone"] {
        let hits = index.search(query, 100);
        assert!(!hits.is_empty(), "{query}");
        assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score), "{query}: {hits:?}");
    }
}

#[test]
fn no_terms_no_hits() {
    let (_, index) = fixture();
    for query in ["", "   ", "\t\n", "...", "?!", "()[]{}", "the", "to the of a", "and or with by from", "x y z"] {
        assert_eq!(index.search(query, 10), [], "{query:?}");
    }
    assert_eq!(index.search("xyzzy", 10), []);
    assert_eq!(index.search("create", 0), []);
    assert_eq!(SearchIndex::new(&[]).search("create", 10), []);
    // Not even a tool or server without a name.
    let mut namespaces = namespaces(FIXTURE);
    namespaces[0].server = String::new();
    namespaces[0].tools[0].original = String::new();
    assert_eq!(SearchIndex::new(&namespaces).search(" ", 10), []);
}

#[test]
fn limit_is_respected() {
    let (_, index) = fixture();
    let all = index.search("create", 1000);
    assert!(all.len() > 10, "{}", all.len());
    for limit in [1, 2, 5, 10] {
        assert_eq!(index.search("create", limit), all[..limit]);
    }
}

#[test]
fn unicode_does_not_panic() {
    let (_, index) = fixture();
    for query in
        ["日本語のファイル", "İstanbul ŞEHİR", "ÄÖÜß straße", "🚀🔥 emoji", "e\u{301}", "\u{0}\u{ffff}", "ǅungla"]
    {
        let _ = index.search(query, 10);
    }
    let mut namespaces = namespaces(FIXTURE);
    namespaces[0].tools[0].description = Some("Ünïcödé ДОКУМЕНТ 文件 İİ ǅ 🚀".to_owned());
    let index = SearchIndex::new(&namespaces);
    assert_eq!(index.search("документ", 1)[0].tool, 0);
    assert_eq!(index.search("文件", 1)[0].tool, 0);
}

#[test]
fn ties_keep_catalog_order() {
    let mut namespaces = namespaces(FIXTURE);
    let copy = Namespace { name: "github_2".to_owned(), server: "github-2".to_owned(), ..namespaces[0].clone() };
    namespaces.insert(1, copy);
    let index = SearchIndex::new(&namespaces);
    let hits = index.search("merge pull request", 2);
    assert_eq!((hits[0].namespace, hits[1].namespace), (0, 1));
    assert_eq!(hits[0].tool, hits[1].tool);
    assert_eq!(hits[0].score, hits[1].score);
    assert_eq!(index.search("merge pull request", 10), index.clone().search("merge pull request", 10));
}

#[test]
fn stopwords_are_sorted_and_short() {
    assert!(STOPWORDS.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(STOPWORDS.iter().map(|word| word.len()).max(), Some(STOPWORD_MAX_LEN));
}

#[test]
fn tokenizer_splits_cases_and_stems() {
    let list = ["list", "pull", "request"];
    assert_eq!(terms("listPullRequests"), list);
    assert_eq!(terms("list_pull_requests"), list);
    assert_eq!(terms("list-pull-requests"), list);
    assert_eq!(terms("LIST PULL REQUESTS"), list);
    assert_eq!(terms("HTTPServer"), ["http", "server"]);
    assert_eq!(terms("getURLs"), ["get", "url"]);
    assert_eq!(terms("userIDs"), ["user", "id"]);
    assert_eq!(terms("base64Encode v2"), ["base64", "encod", "v2"]);
    assert_eq!(terms("issues"), terms("issue"));
    assert_eq!(terms("queries"), terms("query"));
    assert_eq!(terms("branches"), terms("branch"));
    assert_eq!(terms("created creating creates"), terms("create create create"));
    assert_eq!(terms("added"), terms("add"));
    assert_eq!(terms("databases"), terms("database"));
    assert_eq!(terms("string status analysis access"), ["string", "status", "analysis", "access"]);
    assert_eq!(terms("Read the contents of a file"), ["read", "content", "fil"]);
}

#[test]
fn a_thousand_tools() {
    let copies = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
    let copies = copies.iter().chain(&["kilo", "lima"]);
    let namespaces: Vec<Namespace> = copies
        .flat_map(|copy| {
            namespaces(FIXTURE).into_iter().map(move |mut ns| {
                ns.name = format!("{}_{copy}", ns.name);
                ns.server = format!("{}-{copy}", ns.server);
                ns
            })
        })
        .collect();
    assert!(namespaces.iter().map(|ns| ns.tools.len()).sum::<usize>() >= 1000);
    let index = SearchIndex::new(&namespaces);
    let hits = index.search("create a github issue", 12);
    assert_eq!(hits.len(), 12);
    assert!(hits.iter().all(|hit| namespaces[hit.namespace].tools[hit.tool].name == "create_issue"), "{hits:?}");
    let hits = index.search("github_hotel", 100);
    assert_eq!(hits.len(), 100);
    let first: Vec<(&str, usize)> =
        hits[..20].iter().map(|hit| (namespaces[hit.namespace].name.as_str(), hit.tool)).collect();
    assert_eq!(first, (0..20).map(|tool| ("github_hotel", tool)).collect::<Vec<_>>());
}

#[test]
fn a_huge_query_is_read_up_to_its_limit() {
    let (namespaces, index) = fixture();
    let huge = format!("create a github issue {}", "zzz ".repeat(MAX_QUERY_BYTES));
    assert_eq!(index.search(&huge, 5), index.search(&huge[..MAX_QUERY_BYTES], 5));
    assert_eq!(top(&namespaces, &index, &huge, 1), ["github.create_issue"]);
    // Cut inside a character: the character goes.
    let split = format!("{}é create issue", "a".repeat(MAX_QUERY_BYTES - 1));
    assert_eq!(index.search(&split, 5), index.search(&"a".repeat(MAX_QUERY_BYTES - 1), 5));
}

#[test]
fn meaning_finds_what_words_miss() {
    let (namespaces, index) = fixture();
    let table = [
        // No word in common with the tool's name or description.
        ("reimburse a buyer", "stripe.create_refund"),
        ("which folders am I permitted to touch", "filesystem.list_allowed_directories"),
    ];
    for (query, expected) in table {
        let got = top(&namespaces, &index, query, 3);
        assert!(got.iter().any(|name| name == expected), "{query:?}: {got:?}");
    }
}

#[test]
fn duplicate_and_empty_descriptions_rank_in_catalog_order() {
    let mut namespaces = namespaces(FIXTURE);
    for (n, namespace) in namespaces.iter_mut().enumerate() {
        for tool in &mut namespace.tools {
            tool.description = (n % 2 == 0).then(|| "Does the thing with the items.".to_owned());
            tool.title = None;
        }
    }
    let index = SearchIndex::new(&namespaces);
    for query in ["thing items", "does something", "list", "проверка", "github"] {
        let hits = index.search(query, 50);
        assert_eq!(hits, SearchIndex::new(&namespaces).search(query, 50), "{query}");
        for pair in hits.windows(2) {
            let order = (pair[0].namespace, pair[0].tool) < (pair[1].namespace, pair[1].tool);
            assert!(pair[0].score > pair[1].score || order, "{query}: {pair:?}");
        }
    }
}
