import AsyncHTTPClient
import Foundation

/// The demo's bounded traffic mix: searches and aggregates through the edge, some with the
/// `feature` header (reviews-v1/v2 branches), and mesh calls to svca with the per-PR
/// routing header, sent by 8 concurrent callers.
struct DemoTraffic {
    var count: Int

    /// What request `index` is: a label for the summary, URL and headers.
    func request(_ index: Int) -> (label: String, url: String, headers: [(String, String)]) {
        switch index % 10 {
        case 0, 1, 2, 3: return ("GET /search", "http://127.0.0.1:8080/search?q=item\(index)", [])
        case 4, 5, 6: return ("GET /aggregate", "http://127.0.0.1:8080/aggregate?q=item\(index)", [])
        case 7: return ("GET /aggregate feature=v1", "http://127.0.0.1:8080/aggregate?q=item\(index)", [("feature", "v1")])
        case 8: return ("GET /aggregate feature=v2", "http://127.0.0.1:8080/aggregate?q=item\(index)", [("feature", "v2")])
        default:
            return ("svca with service-router header", "http://127.0.0.1:15001/hello",
                    [("host", "svca.demo.svc.cluster.local"), ("service-router-svca-demo", "svca-pr1.demo")])
        }
    }

    /// Sends every request; returns the count per label and status class.
    func send(client: HTTPClient) async throws -> [String: Int] {
        try await withThrowingTaskGroup(of: String.self) { group in
            var next = 0
            var counts: [String: Int] = [:]
            func submit() {
                guard next < count else { return }
                let (label, url, headers) = request(next)
                next += 1
                group.addTask {
                    var request = HTTPClientRequest(url: url)
                    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
                    do {
                        let response = try await client.execute(request, timeout: .seconds(15))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        return "\(label) → \(response.status.code)"
                    } catch {
                        return "\(label) → error"
                    }
                }
            }
            for _ in 0..<8 { submit() }
            while let outcome = try await group.next() {
                counts[outcome, default: 0] += 1
                submit()
            }
            return counts
        }
    }
}
