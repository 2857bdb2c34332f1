import ExpungeAudit
import ExpungeCore
import Foundation
import Testing

/// The page `expunge audit --report` writes, as a browser shows it: headless Chromium renders
/// it to a PNG, which must show a page — not a blank or an error line — with the curves drawn
/// in the report's own colours, and the DOM Chromium parsed must hold every chart. The browser
/// is a large install, so this runs only under `make check-report` (EXPUNGE_CHECK_REPORT=1);
/// the self-check of the PNG decoder and of the blank test runs in `make test` too.
@Suite("Report rendering")
struct ReportRenderTests {
  static let requested = ProcessInfo.processInfo.environment["EXPUNGE_CHECK_REPORT"] == "1"

  /// The browser window, in CSS pixels: wide enough for two charts a row, tall enough for the
  /// whole page (which ends near row 2100).
  static let window = (width: 1200, height: 2400)

  /// The one rule that judges a screenshot blank, for the self-check and the real page alike.
  /// The rendered report inks about 3.6 % of its pixels in about 600 colours over 2000 rows;
  /// the report without its charts still inks 2.4 %, which is why the curves are checked apart.
  static func blankness(_ ink: ScreenshotInk) -> String? {
    ink.blankness(minimumInk: 0.005, minimumColours: 16, minimumInkedHeight: 400)
  }

  static func colour(_ hex: String) -> UInt32 { UInt32(hex.dropFirst(), radix: 16)! }

  /// A picture of the browser window's size, white but for what `paint` sets, through the
  /// encoder and the decoder: the same path as a screenshot.
  static func picture(_ paint: (_ set: (Int, Int, UInt32) -> Void) -> Void) throws
    -> ScreenshotInk
  {
    let (width, height) = window
    var rgb = [UInt8](repeating: 255, count: width * height * 3)
    paint { x, y, c in
      let i = (y * width + x) * 3
      (rgb[i], rgb[i + 1], rgb[i + 2]) = (UInt8(c >> 16), UInt8(c >> 8 & 0xff), UInt8(c & 0xff))
    }
    return ScreenshotInk(
      try PNGImage(bytes: PNGImage.encode(width: width, height: height, rgb: rgb)))
  }

  /// The decoder undoes all five filters on known pixels and checks CRCs; the blank test says
  /// "blank" for a white page, a flat block and a lone line of ink, and "not blank" for a page
  /// of lines; stroke counting sees lines and not specks. So the browser check can fail.
  @Test func theDecoderAndTheBlankTestCanBeTrusted() throws {
    // Every filter, on pixels that are not smooth: any slip in a predictor shows.
    var generator = SeededGenerator(seed: 7)
    let (w, h) = (7, 11)
    let noise = (0..<(w * h * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let file = PNGImage.encode(width: w, height: h, rgb: noise)
    let decoded = try PNGImage(bytes: file)
    #expect(decoded.width == w && decoded.height == h && decoded.channels == 3)
    #expect(decoded.bytes == noise)
    var corrupt = file
    corrupt[file.count - 20] ^= 0xff  // inside the image data
    #expect(throws: PNGImage.DecodingError.self) { try PNGImage(bytes: corrupt) }
    #expect(throws: PNGImage.DecodingError.self) { try PNGImage(bytes: Array(file.prefix(40))) }

    let white = try Self.picture { _ in }
    #expect(white.background == 0xffffff && white.inkFraction == 0)
    #expect(Self.blankness(white)?.hasPrefix("blank: 0.000 % of the pixels differ") == true)
    let block = try Self.picture { set in
      for y in 100..<700 { for x in 100..<500 { set(x, y, 0x000000) } }
    }
    #expect(Self.blankness(block)?.hasPrefix("blank: 2 distinct colours") == true)
    let errorLine = try Self.picture { set in
      for y in 40..<56 {
        for x in 40..<1000 { set(x, y, UInt32.random(in: 0...0xffffff, using: &generator)) }
      }
    }
    #expect(errorLine.inkFraction > 0.005)
    #expect(Self.blankness(errorLine)?.hasPrefix("blank: ink spans 16 rows") == true)

    let blue = Self.colour("#1f77b4")
    let page = try Self.picture { set in
      for y in 40..<56 {
        for x in 40..<1000 { set(x, y, UInt32.random(in: 0...0xffffff, using: &generator)) }
      }
      for y in 100..<1100 { set(300, y, blue) }  // a vertical line of 1000 pixels
      for x in 300..<800 { set(x, 1100, blue) }  // and a horizontal one of 500, sharing a corner
      for y in 0..<10 { set(900, 200 + y, blue) }  // a speck, as a legend glyph's stem
    }
    #expect(Self.blankness(page) == nil)
    #expect(page.pixels(near: blue) >= 1510)  // the noise may land near blue too
    #expect(page.strokePixels(near: blue) == 1500)
  }

  @Test(
    .enabled(
      if: requested,
      "renders the report in headless Chromium: run 'make check-report' (EXPUNGE_CHECK_REPORT=1)"
    ))
  func theAuditReportRendersInHeadlessChromium() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = try StoreCommandTests.csv(in: dir, name: "rows.csv")
    let store = dir.appendingPathComponent("s")
    StoreCommandTests.train(csv, store: store)
    let forget = expunge("forget", "--store", store.path, "--ids", "1003,1050,1100,1101,1200")
    try #require(forget.status == 0, "\(forget.err)")
    let page = dir.appendingPathComponent("audit.html")
    let audit = expunge(
      "audit", "--store", store.path, "--data", csv, "--id-column", "id", "--test", csv,
      "--report", page.path)
    try #require(audit.status == 0, "\(audit.err)")

    let browser = HeadlessChromium(workDirectory: dir)
    let png = dir.appendingPathComponent("audit.png")
    try browser.screenshot(of: page, to: png, width: Self.window.width, height: Self.window.height)
    let dom = try browser.dumpDOM(of: page)

    // The DOM as Chromium parsed it: eleven charts — the gaps, a ROC per attack (six, a
    // curve for each of the three models), a loss histogram per set (likewise), the ε
    // buckets (five for K = 8); a bar per gap; the verdict; the summary, attack and timing
    // tables.
    func count(_ s: String) -> Int { dom.components(separatedBy: s).count - 1 }
    #expect(count("<svg") == 11)
    #expect(count("</svg>") == 11)
    #expect(count("class=\"roc\"") == 18)
    #expect(count("class=\"histogram\"") == 9)
    #expect(count("class=\"gap\"") == 4)
    #expect(count("class=\"epsilon\"") == 5)
    for (i, hex) in HTMLReport.colors.prefix(3).enumerated() {
      #expect(count("class=\"roc\" fill=\"none\" stroke=\"\(hex)\"") == 6, "model \(i)")
      #expect(count("class=\"histogram\" fill=\"none\" stroke=\"\(hex)\"") == 3, "model \(i)")
    }
    #expect(count("<table>") == 3 && count("class=\"verdict\"") == 1)
    #expect(dom.contains("every gap is 0: the unlearned model is the oracle"))

    // The picture (Chromium writes no file at all for a page it cannot open): a page on
    // white, with lines in the report's colours. The models are drawn in order — original
    // (blue), unlearned (red), oracle (green) — and after exact unlearning the unlearned
    // curves are the oracle's, so green covers red; blue shows where the original differs.
    let image = try PNGImage(contentsOf: png)
    #expect(image.width == Self.window.width && image.height == Self.window.height)
    let ink = ScreenshotInk(image)
    #expect(ink.background == 0xffffff, "background \(ink.hex(ink.background))")
    #expect(Self.blankness(ink) == nil, "\(Self.blankness(ink) ?? "")")
    let original = ink.strokePixels(near: Self.colour(HTMLReport.colors[0]))
    let oracle = ink.strokePixels(near: Self.colour(HTMLReport.colors[2]))
    #expect(original >= 40, "\(original) pixels of the original model's curves")
    #expect(oracle >= 400, "\(oracle) pixels of the oracle's curves")
  }
}
