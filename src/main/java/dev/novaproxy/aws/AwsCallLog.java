package dev.novaproxy.aws;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Records every AWS operation the clients call (not retries of one call): the deploy summary
 * reports the count, and tests prove that a no-change deploy makes no mutating call.
 */
public final class AwsCallLog implements ExecutionInterceptor {
  /**
   * One operation; {@code request} is the SDK request object as sent, except for Secrets Manager
   * calls, whose requests may carry the key and are not kept (null).
   */
  public record Call(String service, String operation, SdkRequest request) {
    /**
     * Reads are Get/List/Describe (and STS's caller identity) and DynamoDB's Scan and Query;
     * everything else changes something.
     */
    public boolean mutating() {
      return !(operation.startsWith("Get")
          || operation.startsWith("List")
          || operation.startsWith("Describe")
          || operation.equals("Scan")
          || operation.equals("Query"));
    }

    @Override
    public String toString() {
      return service + ":" + operation;
    }
  }

  private final List<Call> calls = new ArrayList<>();

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    synchronized (calls) {
      boolean mayHoldTheKey = "SecretsManager".equals(service);
      calls.add(new Call(service, operation, mayHoldTheKey ? null : context.request()));
    }
  }

  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  public List<Call> mutatingCalls() {
    return calls().stream().filter(Call::mutating).toList();
  }

  public int count() {
    synchronized (calls) {
      return calls.size();
    }
  }

  public void clear() {
    synchronized (calls) {
      calls.clear();
    }
  }
}
