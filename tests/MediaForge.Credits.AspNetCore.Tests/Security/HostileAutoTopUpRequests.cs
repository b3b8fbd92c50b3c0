using System.Net;
using System.Text;

namespace MediaForge.Credits.AspNetCore.Tests.Security;

/// <summary>
/// The auto top-up part of the catalogue: anonymous calls, another team's wallet, a plain member reaching for the
/// owners' settings, out-of-range and mistyped values, oversized ids and bodies.
/// </summary>
public static partial class HostileRequestCatalogue
{
    private const string ValidTopUp = "\"enabled\":true,\"threshold\":10,\"packageId\":\"pro\",\"maxTopUpsPerMonth\":3,\"maxAmountPerMonthCents\":10000";

    private static Dictionary<string, HostileRequest> AutoTopUpRequests() => new()
    {
        ["auto_top_up_get_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Get("/api/credits/auto-top-up")),
        ["auto_top_up_put_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => TopUpPut($"{{{ValidTopUp}}}")),
        ["auto_top_up_get_team_not_joined"] = Attacker(HttpStatusCode.NotFound, d => Get($"/api/credits/auto-top-up?teamId={d.PrivateTeamId}")),
        ["auto_top_up_get_team_as_plain_member"] = Attacker(HttpStatusCode.Forbidden, d => Get($"/api/credits/auto-top-up?teamId={d.SharedTeamId}")),
        ["auto_top_up_get_team_id_huge"] = Attacker(HttpStatusCode.NotFound, _ => Get($"/api/credits/auto-top-up?teamId={Huge}")),
        ["auto_top_up_get_team_wallet_account_id"] = Attacker(HttpStatusCode.NotFound, d => Get($"/api/credits/auto-top-up?teamId=mf:team:{d.SharedTeamId}")),
        ["auto_top_up_put_team_as_plain_member"] = Attacker(HttpStatusCode.Forbidden, d => TopUpPut($"{{{ValidTopUp},\"teamId\":\"{d.SharedTeamId}\"}}")),
        ["auto_top_up_put_team_not_joined"] = Attacker(HttpStatusCode.NotFound, d => TopUpPut($"{{{ValidTopUp},\"teamId\":\"{d.PrivateTeamId}\"}}")),
        ["auto_top_up_put_threshold_zero"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(threshold: "0"))),
        ["auto_top_up_put_threshold_negative"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(threshold: "-5"))),
        ["auto_top_up_put_threshold_long_max"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(threshold: long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        ["auto_top_up_put_threshold_beyond_long"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(threshold: "1e30"))),
        ["auto_top_up_put_threshold_fraction"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(threshold: "2.5"))),
        ["auto_top_up_put_threshold_string"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(threshold: "\"ten\""))),
        ["auto_top_up_put_count_zero"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(count: "0"))),
        ["auto_top_up_put_count_int_max"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(count: int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        ["auto_top_up_put_money_negative"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(money: "-1"))),
        ["auto_top_up_put_money_below_price"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(money: "100"))),
        ["auto_top_up_put_package_missing"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(package: "null"))),
        ["auto_top_up_put_package_huge"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(package: $"\"{Huge}\""))),
        ["auto_top_up_put_package_unknown"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(package: "\"platinum\""))),
        ["auto_top_up_put_package_free"] = Attacker(BadRequest, _ => TopUpPut(TopUpBody(package: "\"starter\""))),
        ["auto_top_up_put_malformed_json"] = Attacker(BadRequest, _ => TopUpPut("{\"enabled\":")),
        ["auto_top_up_put_json_array"] = Attacker(BadRequest, _ => TopUpPut("[1]")),
        ["auto_top_up_put_oversized_body"] = Attacker(HttpStatusCode.RequestEntityTooLarge, _ =>
            TopUpPut($"{{{ValidTopUp},\"padding\":\"{new string('p', 100_000)}\"}}")),
        ["auto_top_up_put_wrong_content_type"] = Attacker(HttpStatusCode.UnsupportedMediaType, _ => new HttpRequestMessage(HttpMethod.Put, "/api/credits/auto-top-up")
        {
            Content = new StringContent("threshold=10", Encoding.UTF8, "text/plain"),
        }),
    };

    private static string TopUpBody(string threshold = "10", string package = "\"pro\"", string count = "3", string money = "10000") =>
        $"{{\"enabled\":true,\"threshold\":{threshold},\"packageId\":{package},\"maxTopUpsPerMonth\":{count},\"maxAmountPerMonthCents\":{money}}}";

    private static HttpRequestMessage TopUpPut(string json) => new(HttpMethod.Put, "/api/credits/auto-top-up") { Content = Json(json) };
}
