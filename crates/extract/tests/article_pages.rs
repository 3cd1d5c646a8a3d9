//! What `extract_html` keeps of a news article page and what it leaves out: the
//! headline and the body stay; bylines, date lines, photo captions, share bars,
//! related-story lists, reader comments and copyright lines go. The pages are written
//! for these tests in the markup styles of real news sites (a WordPress-like theme that
//! puts `category-promos` on the article, a table layout without semantic elements, a
//! page with a hidden teaser and an unclosed `<title>`).

use whence_extract::{extract_html, HtmlHints};

const BODY: [&str; 4] = [
    "The harbour authority said on Thursday that the old sea wall at Northgate would be rebuilt over the next two winters, after storms in January left a crack running almost the whole length of the promenade.",
    "Engineers who surveyed the wall found that the stone facing had been held in place by iron ties that rusted through decades ago, and that the rubble core behind it was being washed out by every high tide.",
    "\"We cannot patch this any longer,\" said the authority's chief engineer, who added that the promenade would stay closed to traffic until the first phase of the work was finished in the spring.",
    "Shop owners on the seafront said they feared another lost summer season, and the town council promised to ask the regional government for money to help businesses that depend on visitors.",
];

fn extract(html: &str) -> String {
    extract_html(html.as_bytes(), &HtmlHints::default())
        .expect("page extracts")
        .text
}

fn assert_kept(text: &str, kept: &[&str]) {
    for k in kept {
        assert!(text.contains(k), "missing {k:?} in:\n{text}");
    }
}

fn assert_left_out(text: &str, gone: &[&str]) {
    for g in gone {
        assert!(!text.contains(g), "{g:?} should be left out of:\n{text}");
    }
}

fn paragraphs() -> String {
    BODY.iter().map(|p| format!("<p>{p}</p>\n")).collect()
}

#[test]
fn wordpress_style_article_keeps_body_and_drops_furniture() {
    let html = format!(
        r##"<!doctype html><html><head><meta charset="utf-8">
<title>Northgate sea wall to be rebuilt after storms | The Coast Courier</title></head>
<body><div class="site"><nav class="menu"><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="content-sidebar-wrap"><main>
<article class="post type-post category-news category-promos">
<h1 class="entry-title">Northgate sea wall to be rebuilt after storms</h1>
<div class="entry-byline">By Mara Lindqvist, Coast Courier reporter</div>
<p class="entry-date">Published: Thursday, March 5, 2026 10:42 AM</p>
<figure class="wp-block-image"><img src="wall.jpg"><figcaption>Waves break over the cracked wall at Northgate last month. Photo: Coast Courier</figcaption></figure>
{paras}
<ul class="share-tools"><li><a href="#">Share on Facebook</a></li><li><a href="#">Share on X</a></li><li><a href="#">Email this story</a></li></ul>
<h3>More from the coast</h3>
<ul><li><a href="/a">Lifeboat crew called out twice in one night</a></li>
<li><a href="/b">Ferry timetable changes from April</a></li>
<li><a href="/c">Harbour seals return to the estuary</a></li></ul>
</article>
<section id="comments" class="comments-area"><h2>3 comments</h2>
<div class="comment-body"><p>About time too. I have been saying for years that the wall was falling apart and nobody at the council would listen to residents who live right next to it.</p></div>
<div class="comment-body"><p>Who is going to pay for all of this? The last repair went over budget twice and the promenade was closed for a whole summer while they argued about it.</p></div>
</section>
</main><aside class="sidebar"><h3>Most read</h3><ol><li><a href="/d">Council tax to rise</a></li></ol></aside></div>
<footer><p>&copy; 2026 The Coast Courier. All rights reserved.</p></footer></div></body></html>"##,
        paras = paragraphs()
    );
    let text = extract(&html);
    assert_kept(&text, &BODY);
    assert!(
        text.starts_with("Northgate sea wall to be rebuilt after storms"),
        "the headline comes first:\n{text}"
    );
    assert_left_out(
        &text,
        &[
            "Mara Lindqvist",
            "Published:",
            "Waves break over",
            "Share on Facebook",
            "Lifeboat crew",
            "About time too",
            "Who is going to pay",
            "Council tax",
            "All rights reserved",
        ],
    );
}

#[test]
fn table_layout_article_keeps_body_and_drops_furniture() {
    let html = format!(
        r##"<html><head><title>Sea wall at Northgate to be rebuilt - Example Evening Post</title></head>
<body><table><tr><td class="leftnav"><a href="/">Front page</a><br><a href="/sport">Sport</a></td>
<td class="storycol">
<font size="4"><b>Sea wall at Northgate to be rebuilt</b></font>
<p>By JOHN EXAMPLE, Evening Post Staff</p>
<p>Updated Thu. Mar. 5 2026 10:56 PM ET</p>
<table class="storyphotobox"><tr><td><img src="w.jpg"></td></tr>
<tr><td class="storyPhotoCaption">The cracked promenade wall seen from the pier on Wednesday. (Evening Post photo / Ann Example)</td></tr></table>
{paras}
<p>Copyright 2026 Example Evening Post. This material may not be published, broadcast, rewritten or redistributed.</p>
<p><b>Related News</b></p>
<p><a href="/r1">Storm damage bill passes two million</a></p>
<p><a href="/r2">Promenade cafe to close for winter</a></p>
<p><a href="/r3">Council approves new harbour car park</a></p>
<div class="usercomments"><p><b>Pete from Southbay</b><br>They should have done this ten years ago when the first cracks appeared in the wall next to the lifeboat station.</p></div>
</td></tr></table></body></html>"##,
        paras = paragraphs()
    );
    let text = extract(&html);
    assert_kept(&text, &BODY);
    assert_left_out(
        &text,
        &[
            "JOHN EXAMPLE",
            "10:56 PM",
            "cracked promenade wall seen from the pier",
            "may not be published",
            "Storm damage bill",
            "Promenade cafe",
            "ten years ago",
            "Front page",
        ],
    );
}

#[test]
fn broken_title_and_hidden_teaser() {
    // The title is never closed (a damaged crawl): without repair the whole page would be
    // the title. The hidden div holds the teaser of another story.
    let html = format!(
        r##"<html><head><title>Sea wall to be rebuilt'+ ad_query +'"><\/SCRIPT>');
</head><body><div class="story">{paras}
<div style="display:none" class="teaser"><p>Next story: the lighthouse keeper who retired after forty years on the rock, and what he plans to do now that he lives on the mainland.</p></div>
</div></body></html>"##,
        paras = paragraphs()
    );
    let text = extract(&html);
    assert_kept(&text, &BODY);
    assert_left_out(&text, &["lighthouse keeper"]);
}
