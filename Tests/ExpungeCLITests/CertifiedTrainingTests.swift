import Foundation
import Testing

/// `expunge train --certified`: options checked before any data is read; the model trains,
/// saves and evaluates like any other.
@Suite("Certified training")
struct CertifiedTrainingTests {
  @Test func refusesBadCertificates() {
    let out = temporaryDirectory().appendingPathComponent("m").path
    for (extra, message) in [
      (["--model", "logistic", "--certified", "--epsilon", "0"], "'--epsilon'"),
      (["--model", "logistic", "--certified", "--delta", "1"], "'--delta'"),
      (["--model", "logistic", "--certified", "--sigma", "-1"], "'--sigma'"),
      (["--model", "mlp", "--certified"], "--certified applies to --model logistic"),
      (["--model", "logistic", "--epsilon", "1"], "option '--epsilon' needs --certified"),
      (["--model", "softmax", "--certified", "--l2", "auto"], "'--l2'"),
    ] {
      let r = expunge(["train", "--data", "synthetic:n=100", "--out", out] + extra)
      #expect(r.status == 64 && r.err.contains(message), "\(extra): \(r.err)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }

  @Test func trainsSavesAndEvaluatesOneVersusRest() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("m").path
    let data = "synthetic:n=600,d=8,classes=3,seed=2,sep=2"
    let r = expunge(
      "train", "--data", data, "--model", "softmax", "--certified", "--epsilon", "0.5", "--out",
      out)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("certified logistic regression (one-vs-rest, λ = 0.001, ε = 0.5"))
    let config = try String(contentsOfFile: out + "/config.json", encoding: .utf8)
    #expect(config.contains("\"kind\" : \"certified-logistic\"") && config.contains("totalPenalty"))
    let e = expunge("evaluate", "--model", out, "--data", data, "--json")
    #expect(e.status == 0, "\(e.err)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(e.out.utf8)) as? [String: Any])
    #expect((json["accuracy"] as? Double ?? 0) > 0.8, "\(e.out)")
  }
}
