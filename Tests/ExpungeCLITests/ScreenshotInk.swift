import Foundation

/// What a screenshot shows, in the few numbers a rendering check needs: the background (the
/// commonest colour), how much of the picture differs from it, how many colours there are, and
/// which pixels draw lines of a given colour. A page that failed to render — white, one flat
/// colour, or a lone error line — fails `blankness`.
struct ScreenshotInk {
  let image: PNGImage
  /// Pixel count per 0xRRGGBB colour.
  let colours: [UInt32: Int]
  let background: UInt32
  /// The band of rows holding any non-background pixel, if one does.
  let inkedRows: ClosedRange<Int>?

  init(_ image: PNGImage) {
    var colours: [UInt32: Int] = [:]
    for y in 0..<image.height {
      for x in 0..<image.width { colours[image.rgb(x, y), default: 0] += 1 }
    }
    let background = colours.max { $0.value < $1.value }?.key ?? 0
    let inked = (0..<image.height).filter { y in
      (0..<image.width).contains { image.rgb($0, y) != background }
    }
    self.image = image
    self.colours = colours
    self.background = background
    self.inkedRows = inked.first.map { $0...inked.last! }
  }

  /// The fraction of pixels that differ from the background.
  var inkFraction: Double {
    let all = image.width * image.height
    return Double(all - (colours[background] ?? 0)) / Double(max(1, all))
  }

  /// Whether two colours are within `tolerance` in each channel: anti-aliasing blends the
  /// edges of a 1.5-pixel stroke, but its core keeps the stroke's colour.
  static func near(_ a: UInt32, _ b: UInt32, tolerance: Int) -> Bool {
    (0..<3).allSatisfy { channel in
      let shift = UInt32(8 * channel)
      return abs(Int(a >> shift & 0xff) - Int(b >> shift & 0xff)) <= tolerance
    }
  }

  /// Pixels near `colour` anywhere: strokes and text alike.
  func pixels(near colour: UInt32, tolerance: Int = 24) -> Int {
    colours.reduce(0) { sum, entry in
      Self.near(entry.key, colour, tolerance: tolerance) ? sum + entry.value : sum
    }
  }

  /// Pixels near `colour` that lie in a horizontal or vertical run of at least `minimumRun`:
  /// the straight segments the report's step curves are made of. Glyphs of the 11-pixel
  /// legend text are shorter than 12 pixels, so this counts curves, not the legend's words.
  func strokePixels(near colour: UInt32, minimumRun: Int = 12, tolerance: Int = 24) -> Int {
    let (width, height) = (image.width, image.height)
    var matches = [Bool](repeating: false, count: width * height)
    for y in 0..<height {
      for x in 0..<width where Self.near(image.rgb(x, y), colour, tolerance: tolerance) {
        matches[y * width + x] = true
      }
    }
    var inRun = [Bool](repeating: false, count: width * height)
    // Marks the runs along one line of pixels, given as the indices along it.
    func mark(_ line: StrideTo<Int>) {
      var run: [Int] = []
      for i in line {
        if matches[i] {
          run.append(i)
          continue
        }
        if run.count >= minimumRun { for j in run { inRun[j] = true } }
        run.removeAll(keepingCapacity: true)
      }
      if run.count >= minimumRun { for j in run { inRun[j] = true } }
    }
    for y in 0..<height { mark(stride(from: y * width, to: (y + 1) * width, by: 1)) }
    for x in 0..<width { mark(stride(from: x, to: width * height, by: width)) }
    return inRun.filter { $0 }.count
  }

  /// Why the picture counts as blank — too little ink, too few colours, or ink only in a
  /// thin band (an error line) — or nil if it shows a page.
  func blankness(minimumInk: Double, minimumColours: Int, minimumInkedHeight: Int) -> String? {
    if inkFraction < minimumInk {
      return "blank: \(percent(inkFraction)) of the pixels differ from the background "
        + "\(hex(background)) (at least \(percent(minimumInk)) expected)"
    }
    if colours.count < minimumColours {
      return "blank: \(colours.count) distinct colours (at least \(minimumColours) expected)"
    }
    let inkedHeight = inkedRows.map { $0.count } ?? 0
    if inkedHeight < minimumInkedHeight {
      return "blank: ink spans \(inkedHeight) rows (at least \(minimumInkedHeight) expected)"
    }
    return nil
  }

  func hex(_ colour: UInt32) -> String { "#" + String(format: "%06x", colour) }

  private func percent(_ x: Double) -> String { String(format: "%.3f %%", 100 * x) }
}
