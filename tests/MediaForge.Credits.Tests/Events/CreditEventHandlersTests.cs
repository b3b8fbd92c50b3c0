using MediaForge.Credits.Events;
using Microsoft.Extensions.DependencyInjection;

namespace MediaForge.Credits.Tests.Events;

/// <summary>The hand-over of an event to its handlers, without a database.</summary>
public sealed class CreditEventHandlersTests
{
    [Fact]
    public async Task HandleAsync_EventOfATypeWithoutDelivery_ThrowsNamingTheType()
    {
        await using var services = new ServiceCollection().BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CreditEventHandlers.HandleAsync(services, new Undelivered(), CancellationToken.None));

        Assert.Equal("No delivery for event type 'test.undelivered'.", error.Message);
    }

    /// <summary>An event the switch of handlers does not know (every event of the library is in it).</summary>
    private sealed class Undelivered : CreditEvent
    {
        public override string Type => "test.undelivered";
    }
}
