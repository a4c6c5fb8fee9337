using Bramble.Aggregator.Api;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Remediation;
using Bramble.Aggregator.StatusPage;
using Bramble.Engine.Remediation;
using Bramble.Protos.V1;
using Microsoft.Extensions.Configuration;

namespace Bramble.Aggregator.Tests.Remediation;

public sealed class RemediationApiPartsTests
{
    private const string Token = "0123456789abcdef-token";

    [Theory]
    [InlineData("Bearer 0123456789abcdef-token", true)]
    [InlineData("bearer 0123456789abcdef-token", true)]
    [InlineData("Bearer 0123456789abcdef-tokeN", false)]
    [InlineData("Bearer 0123456789abcdef", false)]
    [InlineData("Basic 0123456789abcdef-token", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void ApprovalToken_IsValid_OnlyForTheExactBearerToken(string? header, bool valid)
    {
        Assert.Equal(valid, ApprovalToken.IsValid(header, Token));
    }

    [Fact]
    public void ApprovalToken_NoneConfigured_NothingIsValid()
    {
        Assert.False(ApprovalToken.IsValid("Bearer ", string.Empty));
    }

    [Fact]
    public void Validator_ApproveModeWithoutToken_FailsNamingTheKey()
    {
        var result = new RemediationOptionsValidator().Validate(null, new RemediationOptions { Mode = RemediationMode.Approve });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Remediation:ApprovalToken:", StringComparison.Ordinal));
    }

    [Fact]
    public void ShippedAppSettings_RemediationSection_BindsToTheDefaultsAndValidates()
    {
        var path = Path.Combine(TempDirectory.RepoRoot(), "aggregator", "Bramble.Aggregator", "appsettings.json");
        var section = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build().GetSection(RemediationOptions.Section);

        var options = section.Get<RemediationOptions>(binder => binder.ErrorOnUnknownConfiguration = true);

        Assert.True(section.Exists());
        var defaults = new RemediationOptions();
        Assert.Equal(
            (defaults.Mode, defaults.Settle, defaults.MaxUnhealthyShare, defaults.Cooldown, defaults.StormLimitPerHour, defaults.VerificationWindow, defaults.ReappearanceWindow,
                defaults.CommandDeadline, defaults.ResultGrace, defaults.RebootEnabled, defaults.RebootVerificationWindow, defaults.KubeletUnit),
            (options!.Mode, options.Settle, options.MaxUnhealthyShare, options.Cooldown, options.StormLimitPerHour, options.VerificationWindow, options.ReappearanceWindow,
                options.CommandDeadline, options.ResultGrace, options.RebootEnabled, options.RebootVerificationWindow, options.KubeletUnit));
        Assert.Equal(RemediationMode.DryRun, options.Mode);
        Assert.True(new RemediationOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Ladders_FromConfiguration_ReplaceTheKindsDefault_OthersKeepTheirs()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Remediation:Ladders:KubeletDown:0:Action"] = "RunHook",
            ["Remediation:Ladders:KubeletDown:0:Hook"] = "drain",
        }).Build();

        var options = configuration.GetSection(RemediationOptions.Section).Get<RemediationOptions>()!;

        var ladder = options.LadderFor("KubeletDown");
        Assert.Equal((RemediationAction.RunHook, "drain"), (Assert.Single(ladder).Action, ladder[0].Hook));
        Assert.Equal(RemediationAction.RemountNfs, Assert.Single(options.LadderFor("NfsMountHung")).Action);
        Assert.Empty(options.LadderFor("VipDark"));
    }

    [Fact]
    public void Validator_Defaults_AreValid()
    {
        Assert.True(new RemediationOptionsValidator().Validate(null, new RemediationOptions()).Succeeded);
    }

    [Fact]
    public void Validator_BadValues_EachNamesItsKey()
    {
        var options = new RemediationOptions
        {
            MaxUnhealthyShare = 1.5,
            StormLimitPerHour = 0,
            VerificationWindow = TimeSpan.Zero,
            NfsMounts = ["mnt/nas"],
        };
        options.Ladders["KubeletDown"] = [new LadderStep { Action = RemediationAction.RestartUnit }];

        var failures = new RemediationOptionsValidator().Validate(null, options).Failures!;

        Assert.Contains(failures, f => f.StartsWith("Remediation:MaxUnhealthyShare:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Remediation:StormLimitPerHour:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Remediation:VerificationWindow:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Remediation:NfsMounts:0:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Remediation:Ladders:KubeletDown:0:Unit:", StringComparison.Ordinal));
    }

    public static TheoryData<string, Action<CommandResult>, RejectReason> BadResults => new()
    {
        { "id", r => r.Id = string.Empty, RejectReason.Malformed },
        { "id", r => r.Id = new string('x', 129), RejectReason.Malformed },
        { "outcome", r => r.Outcome = CommandOutcome.Unspecified, RejectReason.InvalidValue },
        { "outcome", r => r.Outcome = (CommandOutcome)42, RejectReason.InvalidValue },
        { "stderr_tail", r => r.StderrTail = new string('e', 2049), RejectReason.Malformed },
        { "duration", r => r.Duration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(-1)), RejectReason.Malformed },
    };

    [Theory]
    [MemberData(nameof(BadResults))]
    public void ValidateCommandResult_Bad_IsRefusedNamingTheField(string field, Action<CommandResult> spoil, RejectReason reason)
    {
        var result = new CommandResult { Id = "rem-1-1", Outcome = CommandOutcome.Succeeded, StderrTail = new string('e', 2048) };
        Assert.Null(MessageValidator.ValidateCommandResult(result));
        spoil(result);

        var rejection = MessageValidator.ValidateCommandResult(result);

        Assert.Equal(reason, rejection?.Reason);
        Assert.Contains(field, rejection!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusPage_PendingPlan_IsShownWithItsApprovalPath()
    {
        var plan = new RemediationPlan("rem-1-1", "kubeletdown-node-pi-1-1", "KubeletDown|node=pi-1", "KubeletDown", "pi-1", RemediationAction.RestartUnit,
            new Dictionary<string, string> { ["unit"] = "kubelet" }, 0, false, PlanStatus.AwaitingApproval, DateTimeOffset.UnixEpoch,
            "restart_unit on pi-1 for KubeletDown (step 1 of 2)");

        var html = StatusPageEndpoint.Render([], [], DateTimeOffset.UnixEpoch, [RemediationPlanView.From(plan)]);

        Assert.Contains("<h2>Remediation</h2>", html, StringComparison.Ordinal);
        Assert.Contains("awaiting approval", html, StringComparison.Ordinal);
        Assert.Contains("POST /api/v1/remediations/rem-1-1/approve", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2>Remediation</h2>", StatusPageEndpoint.Render([], [], DateTimeOffset.UnixEpoch), StringComparison.Ordinal);
    }

    [Fact]
    public void CommandDispatcher_ToMessage_CarriesEveryField()
    {
        var planned = new PlannedCommand("rem-5-2", "pi-1", RemediationAction.Reboot, new Dictionary<string, string>(), true, TimeSpan.FromSeconds(60), "inc-1");

        var command = CommandDispatcher.ToMessage(planned);

        Assert.Equal(("rem-5-2", CommandAction.Reboot, true, 60L, "inc-1"), (command.Id, command.Action, command.DryRun, command.Deadline.Seconds, command.IncidentId));
    }

    [Fact]
    public void CommandDispatcher_ToMessage_CarriesTheIncidentForHooks()
    {
        var planned = new PlannedCommand("rem-6-1", "pi-2", RemediationAction.RunHook, new Dictionary<string, string> { ["hook"] = "drain" }, false, TimeSpan.FromSeconds(30), "inc-7");
        var started = new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);
        var incident = new Bramble.Engine.Incidents.IncidentRecord(
            "inc-7", "NfsMountHung", new Bramble.Engine.Rules.Subject(Node: "pi-2", Mount: "/mnt/nas"), Bramble.Engine.Rules.Severity.Critical,
            Bramble.Engine.Incidents.IncidentState.Firing, started, started, null, started, null, "NFS mount /mnt/nas on pi-2 hangs",
            new Dictionary<string, string> { ["frozenPods"] = "media/jellyfin-0" });

        var command = CommandDispatcher.ToMessage(planned, incident);

        Assert.Equal(("NfsMountHung", "critical", "node=pi-2,mount=/mnt/nas", "NFS mount /mnt/nas on pi-2 hangs"),
            (command.Incident.Kind, command.Incident.Severity, command.Incident.Subject, command.Incident.Summary));
        Assert.Equal("media/jellyfin-0", command.Incident.Evidence["frozenPods"]);
        Assert.Equal(started, command.Incident.StartedAt.ToDateTimeOffset());
        Assert.Null(CommandDispatcher.ToMessage(planned).Incident);
    }
}
