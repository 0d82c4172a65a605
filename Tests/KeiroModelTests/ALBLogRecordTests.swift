import KeiroModel
import Testing

@Suite struct ALBLogRecordTests {
    static let example = #"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-""#

    @Test func theUserGuideExampleIsWrittenBackByteForByte() throws {
        let record = try ALBLogRecord(parsing: Self.example)
        #expect(record[.request] == "GET http://www.example.com:80/ HTTP/1.1")
        #expect(record[.domainName] == nil)
        #expect(record[.matchedRulePriority] == "0")
        #expect(record.values.count == ALBLogField.classificationReason.rawValue + 1)
        #expect(record.line == Self.example)
    }

    @Test func everyFieldReadsBackAsWritten() throws {
        var record = ALBLogRecord()
        for field in ALBLogField.allCases {
            // Spaces, quotes and backslashes in every field, quoted or not.
            record[field] = "v\(field.rawValue) \"quoted\" back\\slash"
        }
        record[.type] = "http"
        record[.userAgent] = nil
        let parsed = try ALBLogRecord(parsing: record.line)
        #expect(parsed == record)
        for field in ALBLogField.allCases { #expect(parsed[field] == record[field], "\(field)") }
        #expect(parsed[.userAgent] == nil)
        #expect(record.line.contains(#" "-" "#))
    }

    @Test(arguments: [
        ("2018-07-02T22:23:00.186641Z", UInt64(1_530_570_180_186_641_000)),
        ("1970-01-01T00:00:00.000000Z", 0),
        ("2024-02-29T23:59:59.999999Z", 1_709_251_199_999_999_000),
        ("2100-03-01T00:00:00.000001Z", 4_107_542_400_000_001_000),
    ])
    func timestampsRoundTrip(text: String, nanos: UInt64) {
        #expect(ALBTimestamp.unixNanos(text) == nanos)
        #expect(ALBTimestamp.format(unixNanos: nanos) == text)
    }

    @Test func timestampsWithoutOrWithLongFractionsAreRead() {
        #expect(ALBTimestamp.unixNanos("2018-07-02T22:22:48Z") == 1_530_570_168_000_000_000)
        #expect(ALBTimestamp.unixNanos("2018-07-02T22:22:48.364Z") == 1_530_570_168_364_000_000)
        #expect(ALBTimestamp.unixNanos("2018-07-02T22:22:48.1234567891234Z") == 1_530_570_168_123_456_789)
        for bad in ["2018-07-02 22:22:48Z", "2018-13-02T22:22:48Z", "2018-07-02T22:22:48.Z", "2018-07-02T22:22:48+00:00", "-"] {
            #expect(ALBTimestamp.unixNanos(bad) == nil, "\(bad)")
        }
    }
}
