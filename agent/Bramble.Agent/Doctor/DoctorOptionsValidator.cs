using Microsoft.Extensions.Options;

namespace Bramble.Agent.Doctor;

/// <summary>Checks <see cref="DoctorOptions"/> at start; messages name the configuration key.</summary>
public sealed class DoctorOptionsValidator : IValidateOptions<DoctorOptions>
{
    public ValidateOptionsResult Validate(string? name, DoctorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromDays(1))
        {
            failures.Add($"{DoctorOptions.Section}:Interval: must be between 00:00:01 and 1.00:00:00 (got {options.Interval})");
        }

        if (options.ResendInterval < TimeSpan.FromSeconds(1) || options.ResendInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"{DoctorOptions.Section}:ResendInterval: must be between 00:00:01 and 1.00:00:00 (got {options.ResendInterval})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
