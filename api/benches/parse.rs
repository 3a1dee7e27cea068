//! How long the importer takes (release mode): the parser on the bundled text notices (the
//! 153-item 2024 breakdown, the 63-item 2022 livelihood list), and a 200-row task table as a
//! Word file and as an Excel sheet, from the file's bytes to the parsed notice (what a clerk
//! waits for). Run with `cargo bench -p api --bench parse`.

use std::hint::black_box;
use std::io::Write;

use criterion::{Criterion, criterion_group, criterion_main};

const BREAKDOWN_2024: &str = include_str!("../fixtures/work-report-breakdown-2024.txt");
const LIVELIHOOD_2022: &str = include_str!("../fixtures/livelihood-tasks-2022.txt");

const ROWS: usize = 200;

/// The cells of task `i`: 序号, task, leader, lead unit, cooperating units, deadline.
fn row(i: usize) -> [String; 6] {
    [
        i.to_string(),
        format!(
            "实施第{i}项重点工程，新增就业岗位{}个，完成投资{}亿元。",
            i * 10,
            i % 17 + 1
        ),
        ["陈立新", "李 娜", "王建国", "常务副区长"][i % 4].to_owned(),
        ["区发展改革委", "区教育局", "区财政局", "区住房城乡建设局"][i % 4].to_owned(),
        "区统计局、区市场监管局、各街道办事处".to_owned(),
        ["2025年12月底", "年底前", "2025年6月底", "长期坚持"][i % 4].to_owned(),
    ]
}

const HEADER: [&str; 6] = [
    "序号",
    "工作任务",
    "责任领导",
    "牵头单位",
    "配合单位",
    "完成时限",
];

/// A .docx with a 200-row task table: a category row spanning the table every 20 rows.
fn docx() -> Vec<u8> {
    let tc = |text: &str, props: &str| {
        format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    };
    let mut rows = format!(
        "<w:tr>{}</w:tr>",
        HEADER.iter().map(|h| tc(h, "")).collect::<String>()
    );
    for i in 1..=ROWS {
        if i % 20 == 1 {
            let title = format!("第{}部分（共20项）", i / 20 + 1);
            rows.push_str(&format!(
                "<w:tr>{}</w:tr>",
                tc(&title, "<w:gridSpan w:val=\"6\"/>")
            ));
        }
        rows.push_str(&format!(
            "<w:tr>{}</w:tr>",
            row(i).iter().map(|c| tc(c, "")).collect::<String>()
        ));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\
         <w:p><w:r><w:t>东政办〔2025〕4号</w:t></w:r></w:p><w:p><w:r><w:t>关于印发重点工作任务分解方案的通知</w:t></w:r></w:p>\
         <w:p><w:r><w:t>请各牵头单位于每季度最后一个月的20日前报送进展。</w:t></w:r></w:p>\
         <w:p><w:r><w:t>2025年2月18日</w:t></w:r></w:p>\
         <w:tbl><w:tblGrid>{}</w:tblGrid>{rows}</w:tbl></w:body></w:document>",
        "<w:gridCol/>".repeat(6)
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("zip entry");
    zip.write_all(xml.as_bytes()).expect("zip write");
    zip.finish().expect("zip finish");
    out.into_inner()
}

/// An .xlsx with the same 200 rows: a merged title row, merged category rows, a note below.
fn xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    sheet
        .merge_range(0, 0, 0, 5, "东湖区2025年重点工作任务分解表", &plain)
        .expect("title");
    for (col, header) in HEADER.iter().enumerate() {
        sheet.write_string(1, col as u16, *header).expect("header");
    }
    let mut r = 2u32;
    for i in 1..=ROWS {
        if i % 20 == 1 {
            let title = format!("第{}部分（共20项）", i / 20 + 1);
            sheet
                .merge_range(r, 0, r, 5, &title, &plain)
                .expect("category");
            r += 1;
        }
        for (col, text) in row(i).iter().enumerate() {
            sheet.write_string(r, col as u16, text).expect("cell");
        }
        r += 1;
    }
    sheet
        .merge_range(
            r,
            0,
            r,
            5,
            "备注：各牵头单位于每月25日前报送进展情况。",
            &plain,
        )
        .expect("note");
    workbook.save_to_buffer().expect("an xlsx")
}

fn parse(c: &mut Criterion) {
    c.bench_function("parse work-report-breakdown-2024 (153 items)", |b| {
        b.iter(|| api::import::parse::parse(black_box(BREAKDOWN_2024)).expect("parses"));
    });
    c.bench_function("parse livelihood-tasks-2022 (63 items)", |b| {
        b.iter(|| api::import::parse::parse(black_box(LIVELIHOOD_2022)).expect("parses"));
    });
    for (name, bytes) in [("tasks.docx", docx()), ("tasks.xlsx", xlsx())] {
        // Once outside the timing: the table is read whole.
        let notice = api::import::extract::notice_of(name, &bytes).expect("extracts");
        let doc = api::import::parse::parse_notice(&notice).expect("parses");
        assert_eq!(doc.tasks.len(), ROWS, "{name}");
        c.bench_function(
            &format!("extract and parse a {ROWS}-row table ({name})"),
            |b| {
                b.iter(|| {
                    let notice =
                        api::import::extract::notice_of(name, black_box(&bytes)).expect("extracts");
                    api::import::parse::parse_notice(&notice).expect("parses")
                });
            },
        );
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
