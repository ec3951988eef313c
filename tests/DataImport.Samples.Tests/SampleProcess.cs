using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace DataImport.Samples.Tests;

/// <summary>
/// The REST sample as a real process of its own on a loopback port (as a deployed instance runs), so tests can run
/// several instances side by side and kill one with SIGKILL.
/// </summary>
public sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        Client = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private static string WebApiAssembly => typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WebApiAssembly").Value!;

    /// <summary>Starts the sample with the given configuration (<c>Key=Value</c> pairs) and waits until it answers.</summary>
    /// <remarks>
    /// The process binds a port of the kernel's choosing and says which: a port found free here and handed to it could be
    /// taken, by any socket of this or another process, in the second before the process binds it.
    /// </remarks>
    public static async Task<SampleProcess> StartAsync(string name, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(WebApiAssembly)!,
        };
        start.ArgumentList.Add(WebApiAssembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        // The host's "Now listening on: <address>" line, on the console.
        start.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
        start.ArgumentList.Add("--Logging:Console:FormatterName=simple");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add("--" + setting);
        }

        var process = Process.Start(start)!;
        var sample = new SampleProcess(process, name);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!sample._listening.Task.IsCompleted)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} before listening: {sample.Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                await sample.DisposeAsync();
                throw new TimeoutException($"{name} did not listen within 60 s: {sample.Output}");
            }

            await Task.WhenAny(sample._listening.Task, Task.Delay(100));
        }

        sample.Client.BaseAddress = await sample._listening.Task;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} before answering: {sample.Output}");
            }

            try
            {
                using var response = await sample.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return sample;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                await sample.DisposeAsync();
                throw new TimeoutException($"{name} did not answer within 60 s: {sample.Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process with SIGKILL, as a crash or <c>kill -9</c> does: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? domain, string token = WebApiTestHost.Token) =>
        ApiCalls.Request(Client, method, path, domain, token);

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        var (status, _, body) = await ApiCalls.SendAsync(Client, request);
        return (status, body);
    }

    public Task<(int Status, JsonElement Body)> GetAsync(string path, string? domain) => SendAsync(Request(HttpMethod.Get, path, domain));

    public async Task<string> ImportAsync(HttpContent form, string domain, string entity = "Customer")
    {
        var request = Request(HttpMethod.Post, $"/api/v1/entities/{entity}/import", domain);
        request.Content = form;
        var (status, body) = await SendAsync(request);
        status.Should().Be(200, body.ToString());
        return body.GetProperty("data").GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> JobAsync(string id, string domain)
    {
        var (status, body) = await GetAsync($"/api/v1/job/{id}", domain);
        status.Should().Be(200, body.ToString());
        return body.GetProperty("data");
    }

    /// <summary>Polls the job until the condition holds (the deadline is generous: a loaded CI machine is slow).</summary>
    public async Task<JsonElement> WaitForAsync(string id, string domain, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var job = await JobAsync(id, domain);
            if (condition(job))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The job {id} did not reach the expected state in time: {job}");
            }

            await Task.Delay(100);
        }
    }

    public Task<JsonElement> WaitFinishedAsync(string id, string domain, TimeSpan? timeout = null) =>
        WaitForAsync(id, domain, j => j.GetProperty("status").GetString() is "COMPLETED" or "FAILED" or "CANCELLED", timeout);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        const string Listening = "Now listening on: ";
        if (line.IndexOf(Listening, StringComparison.Ordinal) is var at and >= 0)
        {
            _listening.TrySetResult(new Uri(line[(at + Listening.Length)..].Trim()));
        }
    }
}
