using System.Net;
using Bramble.Agent.Probes.Vip;
using Bramble.Agent.Probing;

namespace Bramble.Agent.Tests.Vip;

public sealed class VipAnnouncementsTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");
    private const string Master = "02:00:00:00:00:01";
    private const string Backup = "02:00:00:00:00:02";

    private readonly ProbeWakeup _wakeup = new();

    [Fact]
    public async Task Heard_FromAMacTheLastRoundDidNotHear_AsksForOneVipRound()
    {
        var announcements = Announcements();
        announcements.Answered(Vip, [Master]);

        Assert.True(announcements.Heard(Vip, Backup));

        Assert.Equal([VipProbe.ProbeName], await _wakeup.WaitAsync(TestContext.Current.CancellationToken));
        Assert.True(announcements.TakeRoundRequest());
        Assert.False(announcements.TakeRoundRequest());
    }

    [Fact]
    public void Heard_FromAMacThatAnswered_AsksNothing()
    {
        var announcements = Announcements();
        announcements.Answered(Vip, [Master, Backup]);

        Assert.False(announcements.Heard(Vip, Backup));

        Assert.False(_wakeup.WaitAsync(TestContext.Current.CancellationToken).IsCompleted);
        Assert.False(announcements.TakeRoundRequest());
    }

    [Fact]
    public void Heard_BeforeAnyRound_AsksForARound()
    {
        var announcements = Announcements();

        Assert.True(announcements.Heard(Vip, Master));
        Assert.True(announcements.TakeRoundRequest());
    }

    [Fact]
    public void Heard_AfterADarkRound_AsksForARound()
    {
        var announcements = Announcements();
        announcements.Answered(Vip, []);

        Assert.True(announcements.Heard(Vip, Master));
    }

    [Fact]
    public void Heard_Disabled_AsksNothing()
    {
        var announcements = Announcements(roundOnNewAnnouncer: false);
        announcements.Answered(Vip, [Master]);

        Assert.False(announcements.Heard(Vip, Backup));
        Assert.False(_wakeup.WaitAsync(TestContext.Current.CancellationToken).IsCompleted);
    }

    private VipAnnouncements Announcements(bool roundOnNewAnnouncer = true) =>
        new(_wakeup, Microsoft.Extensions.Options.Options.Create(new VipOptions { RoundOnNewAnnouncer = roundOnNewAnnouncer }));
}
