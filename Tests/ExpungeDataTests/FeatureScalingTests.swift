import ExpungeCore
import ExpungeData
import Testing

/// `--scale`'s forms and what they do to values.
@Suite("Feature scaling")
struct FeatureScalingTests {
  @Test(arguments: [
    ("1/255", Float(0), Float(1.0 / 255.0)),
    ("0.5", 0, 0.5),
    ("-2", 0, -2),
    ("3/4", 0, 0.75),
    (" 1 / 3 ", 0, Float(1.0 / 3.0)),
    ("minmax:0,16", 0, 0.0625),
    ("minmax:-1,1", -1, 0.5),
    ("minmax:20,80", 20, Float(1.0 / 60.0)),
  ])
  func forms(text: String, subtract: Float, multiplyBy: Float) throws {
    let scaling = try #require(FeatureScaling(parsing: text))
    #expect(scaling.subtract == subtract && scaling.multiplyBy == multiplyBy)
  }

  @Test(arguments: [
    "", "abc", "0", "-0", "0/3", "1/0", "inf", "nan", "1e60", "1/1e-60", "minmax:5,5",
    "minmax:3,1", "minmax:1", "minmax:a,1", "minmax:0,1,2", "1/2/3",
  ])
  func refusedForms(text: String) {
    #expect(FeatureScaling(parsing: text) == nil)
  }

  /// `(x − subtract) · multiplyBy` per element, in that order, with the special values
  /// carried through: minmax maps its bounds to 0 and 1.
  @Test func transformMapsEveryElement() {
    let scaling = FeatureScaling(parsing: "minmax:2,10")!
    let x = Matrix(
      rows: 2, cols: 4, storage: [2, 10, 6, -0.0, .infinity, -.infinity, .nan, 2.5])
    let y = scaling.transform(x).storage
    #expect(y[0] == 0 && y[1] == 1 && y[2] == 0.5 && y[3] == -0.25)
    #expect(y[4] == .infinity && y[5] == -.infinity && y[6].isNaN && y[7] == 0.0625)
    #expect(scaling.description == "(x − 2.0) × 0.125")
    #expect(FeatureScaling(parsing: "1/4")!.description == "x × 0.25")
  }
}
