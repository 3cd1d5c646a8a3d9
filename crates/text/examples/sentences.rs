//! Prints the sentences of a file with their index: `cargo run --example sentences FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: sentences FILE");
    let text = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let ts = whence_text::analyze(&text);
    for (n, s) in ts.sentences.iter().enumerate() {
        println!(
            "{n:3} p{:<3} {}",
            s.paragraph,
            text[s.span.range()].replace('\n', "⏎")
        );
    }
}
