import FolioModel
import Testing

/// Costs print with significant digits: a gpt-4o-mini case costs about $0.0000069, which
/// four decimals showed as $0.0000.
struct MoneyTests {
    @Test(arguments: [
        (6.9e-06, "$0.0000069"), (0.000123456, "$0.000123"), (0.00104, "$0.00104"), (0.0123, "$0.0123"),
        (0.31, "$0.31"), (12.4, "$12.40"), (0, "$0.00"), (1e-13, "$0.00"),
    ])
    func smallAmountsKeepTheirDigits(value: Double, text: String) {
        #expect(Money.text(value) == text)
    }
}
