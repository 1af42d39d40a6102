using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Gateway.Reliability;

/// <summary>
/// Refuses bad <c>Retry.Count</c>, <c>Retry.NonIdempotent</c> and <c>QueueTimeout</c> cluster metadata and bad
/// <c>MaxConnections</c> and <c>MaxQueue</c> destination metadata, naming the cluster and destination, so that
/// <c>--check</c>, start-up and reload all refuse them.
/// </summary>
internal sealed class ReliabilityMetadataValidator : IClusterValidator
{
    public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
    {
        var metadata = cluster.Metadata;
        if (metadata is not null)
        {
            if (metadata.TryGetValue(RetrySettings.CountKey, out var count) && !RetrySettings.TryParseCount(count, out _))
            {
                errors.Add(new ArgumentException(
                    $"Cluster '{cluster.ClusterId}': {RetrySettings.CountKey} '{count}' is invalid; it must be a whole number from 0 to {RetrySettings.MaxCount} (default {RetrySettings.DefaultCount}, 0 turns retries off)."));
            }

            if (metadata.TryGetValue(RetrySettings.NonIdempotentKey, out var nonIdempotent) && !RetrySettings.TryParseNonIdempotent(nonIdempotent, out _))
            {
                errors.Add(new ArgumentException(
                    $"Cluster '{cluster.ClusterId}': {RetrySettings.NonIdempotentKey} '{nonIdempotent}' is invalid; it must be true or false (default false)."));
            }

            if (metadata.TryGetValue(DestinationLimits.QueueTimeoutKey, out var timeout) && !DestinationLimits.TryParseQueueTimeout(timeout, out _))
            {
                errors.Add(new ArgumentException(
                    $"Cluster '{cluster.ClusterId}': {DestinationLimits.QueueTimeoutKey} '{timeout}' is invalid; it must be a positive TimeSpan such as 00:00:05 (the default)."));
            }
        }

        foreach (var (destinationId, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
        {
            if (destination.Metadata is not { } destinationMetadata)
            {
                continue;
            }

            destinationMetadata.TryGetValue(DestinationLimits.MaxConnectionsKey, out var maxConnectionsText);
            destinationMetadata.TryGetValue(DestinationLimits.MaxQueueKey, out var maxQueueText);
            if (!DestinationLimits.TryParseMaxConnections(maxConnectionsText, out _))
            {
                errors.Add(new ArgumentException(
                    $"Cluster '{cluster.ClusterId}', destination '{destinationId}': {DestinationLimits.MaxConnectionsKey} '{maxConnectionsText}' is invalid; it must be a whole number of at least 1 (leave it out for no limit)."));
            }

            if (!DestinationLimits.TryParseMaxQueue(maxQueueText, out _))
            {
                errors.Add(new ArgumentException(
                    $"Cluster '{cluster.ClusterId}', destination '{destinationId}': {DestinationLimits.MaxQueueKey} '{maxQueueText}' is invalid; it must be a whole number of at least 0 (leave it out for no limit)."));
            }
            else if (maxQueueText is not null && maxConnectionsText is null)
            {
                errors.Add(new ArgumentException(
                    $"Cluster '{cluster.ClusterId}', destination '{destinationId}': {DestinationLimits.MaxQueueKey} has no effect without {DestinationLimits.MaxConnectionsKey}; set both or neither."));
            }
        }

        return ValueTask.CompletedTask;
    }
}
