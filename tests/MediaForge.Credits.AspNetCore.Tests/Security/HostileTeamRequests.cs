using System.Net;
using System.Text;

namespace MediaForge.Credits.AspNetCore.Tests.Security;

/// <summary>
/// The team part of the catalogue: anonymous calls, other teams' wallets, a plain member reaching for an owner's rights,
/// oversized and malformed ids, bad limit bodies (negative, huge, fractional, missing, mistyped), paging extremes and
/// team checkouts that may not start.
/// </summary>
public static partial class HostileRequestCatalogue
{
    private static Dictionary<string, HostileRequest> TeamRequests() => new()
    {
        ["team_list_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, _ => Get("/api/credits/teams")),
        ["team_list_page_zero"] = Attacker(BadRequest, _ => Get("/api/credits/teams?page=0")),
        ["team_list_page_int_max"] = Attacker(BadRequest, _ => Get($"/api/credits/teams?page={int.MaxValue}")),
        ["team_list_page_size_huge"] = Attacker(BadRequest, _ => Get("/api/credits/teams?pageSize=1000000")),
        ["team_list_page_beyond_long"] = Attacker(BadRequest, _ => Get("/api/credits/teams?page=99999999999999999999")),
        ["team_list_page_not_a_number"] = Attacker(BadRequest, _ => Get("/api/credits/teams?pageSize=-1")),
        ["team_balance_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, d => Get($"/api/credits/teams/{d.SharedTeamId}/balance")),
        ["team_balance_of_a_team_not_joined"] = Attacker(HttpStatusCode.NotFound, d => Get($"/api/credits/teams/{d.PrivateTeamId}/balance")),
        ["team_balance_id_huge"] = Attacker(HttpStatusCode.NotFound, _ => Get($"/api/credits/teams/org_{new string('x', 4_000)}/balance")),
        ["team_balance_id_control_characters"] = Attacker(HttpStatusCode.NotFound, _ => Get("/api/credits/teams/org%09%0A1/balance")),
        ["team_balance_id_sql"] = Attacker(HttpStatusCode.NotFound, _ => Get("/api/credits/teams/1%27%20OR%201=1/balance")),
        ["team_balance_wallet_account_id"] = Attacker(HttpStatusCode.NotFound, d => Get($"/api/credits/teams/mf:team:{d.SharedTeamId}/balance")),
        ["team_members_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, d => Get($"/api/credits/teams/{d.SharedTeamId}/members")),
        ["team_members_of_a_team_not_joined"] = Attacker(HttpStatusCode.NotFound, d => Get($"/api/credits/teams/{d.PrivateTeamId}/members")),
        ["team_history_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, d => Get($"/api/credits/teams/{d.SharedTeamId}/history")),
        ["team_history_of_a_team_not_joined"] = Attacker(HttpStatusCode.NotFound, d => Get($"/api/credits/teams/{d.PrivateTeamId}/history")),
        ["team_history_as_plain_member"] = Attacker(HttpStatusCode.Forbidden, d => Get($"/api/credits/teams/{d.SharedTeamId}/history")),
        ["team_history_page_zero"] = Attacker(BadRequest, d => Get($"/api/credits/teams/{d.AttackerTeamId}/history?page=0")),
        ["team_history_page_int_max"] = Attacker(BadRequest, d => Get($"/api/credits/teams/{d.AttackerTeamId}/history?page={int.MaxValue}")),
        ["team_history_page_size_huge"] = Attacker(BadRequest, d => Get($"/api/credits/teams/{d.AttackerTeamId}/history?pageSize=1000000")),
        ["team_history_page_beyond_long"] = Attacker(BadRequest, d => Get($"/api/credits/teams/{d.AttackerTeamId}/history?page=99999999999999999999")),
        ["team_limit_anonymous"] = Anonymous(HttpStatusCode.Unauthorized, d => Limit(d.SharedTeamId, d.Attacker, "{\"limit\":1000000}")),
        ["team_limit_own_as_plain_member"] = Attacker(HttpStatusCode.Forbidden, d => Limit(d.SharedTeamId, d.Attacker, "{\"limit\":1000000}")),
        ["team_limit_owners_as_plain_member"] = Attacker(HttpStatusCode.Forbidden, d => Limit(d.SharedTeamId, d.Victim, "{\"limit\":0}")),
        ["team_limit_in_a_team_not_joined"] = Attacker(HttpStatusCode.NotFound, d => Limit(d.PrivateTeamId, d.Victim, "{\"limit\":0}")),
        ["team_limit_of_a_non_member"] = Attacker(HttpStatusCode.NotFound, d => Limit(d.AttackerTeamId, d.Victim, "{\"limit\":5}")),
        ["team_limit_user_id_huge"] = Attacker(HttpStatusCode.NotFound, d => Limit(d.AttackerTeamId, new string('u', 4_000), "{\"limit\":5}")),
        ["team_limit_user_id_reserved"] = Attacker(HttpStatusCode.NotFound, d => Limit(d.AttackerTeamId, "mf:team:" + d.AttackerTeamId, "{\"limit\":5}")),
        ["team_limit_negative"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, "{\"limit\":-1}")),
        ["team_limit_long_max"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, $"{{\"limit\":{long.MaxValue}}}")),
        ["team_limit_beyond_long"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, "{\"limit\":1e30}")),
        ["team_limit_fraction"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, "{\"limit\":2.5}")),
        ["team_limit_not_a_number"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, "{\"limit\":\"lots\"}")),
        ["team_limit_missing"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, "{}")),
        ["team_limit_malformed_json"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, "{\"limit\":")),
        ["team_limit_json_array"] = Attacker(BadRequest, d => Limit(d.AttackerTeamId, d.Attacker, "[5]")),
        ["team_limit_oversized_body"] = Attacker(HttpStatusCode.RequestEntityTooLarge, d =>
            Limit(d.AttackerTeamId, d.Attacker, $"{{\"limit\":5,\"padding\":\"{new string('p', 100_000)}\"}}")),
        ["team_limit_wrong_content_type"] = Attacker(HttpStatusCode.UnsupportedMediaType, d => new HttpRequestMessage(HttpMethod.Put,
            $"/api/credits/teams/{d.AttackerTeamId}/members/{d.Attacker}/limit") { Content = new StringContent("limit=5", Encoding.UTF8, "text/plain") }),
        ["checkout_team_as_plain_member"] = Attacker(HttpStatusCode.Forbidden, d => TeamCheckout($"{{\"packageId\":\"pro\",\"teamId\":\"{d.SharedTeamId}\"}}")),
        ["checkout_team_not_joined"] = Attacker(HttpStatusCode.NotFound, d => TeamCheckout($"{{\"packageId\":\"pro\",\"teamId\":\"{d.PrivateTeamId}\"}}")),
        ["checkout_team_id_huge"] = Attacker(HttpStatusCode.NotFound, _ => TeamCheckout($"{{\"packageId\":\"pro\",\"teamId\":\"{Huge}\"}}")),
        ["checkout_team_id_not_a_string"] = Attacker(BadRequest, _ => TeamCheckout("{\"packageId\":\"pro\",\"teamId\":42}")),
        ["checkout_team_free_package"] = Attacker(HttpStatusCode.UnprocessableEntity, d => TeamCheckout($"{{\"packageId\":\"starter\",\"teamId\":\"{d.AttackerTeamId}\"}}")),
        ["checkout_team_as_gift"] = Attacker(HttpStatusCode.UnprocessableEntity, d => TeamCheckout($"{{\"packageId\":\"pro\",\"teamId\":\"{d.AttackerTeamId}\",\"gift\":true}}")),
        ["admin_team_activity_as_user"] = Attacker(HttpStatusCode.Forbidden, d => Get($"/api/credits/admin/teams/{d.AttackerTeamId}/activity")),
        ["admin_team_activity_id_huge"] = Admin(HttpStatusCode.NotFound, _ => Get($"/api/credits/admin/teams/{new string('t', 4_000)}/activity")),
        ["admin_team_activity_bad_range"] = Admin(BadRequest, d => Get($"/api/credits/admin/teams/{d.SharedTeamId}/activity?from=yesterday")),
    };

    private static HttpRequestMessage Limit(string teamId, string userId, string json) =>
        new(HttpMethod.Put, $"/api/credits/teams/{teamId}/members/{Uri.EscapeDataString(userId)}/limit") { Content = Json(json) };

    private static HttpRequestMessage TeamCheckout(string json) => Post("/api/stripe/create-checkout-session", Json(json));
}
