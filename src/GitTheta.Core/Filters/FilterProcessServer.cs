using GitTheta.Core.Diagnostics;
using GitTheta.Core.Git;

namespace GitTheta.Core.Filters;

/// <summary>
/// git's long-running filter protocol, version 2 (gitattributes(5), "Long Running Filter Process"):
/// one process serves every clean and smudge of a git command. A failed request answers
/// status=error and the process keeps serving the next one.
/// </summary>
internal sealed class FilterProcessServer
{
    private readonly PktLineReader reader;
    private readonly PktLineWriter writer;
    private readonly IFilterHandler handler;
    private readonly Action<string> log;

    public FilterProcessServer(Stream input, Stream output, IFilterHandler handler, Action<string> log)
    {
        reader = new PktLineReader(input);
        writer = new PktLineWriter(output);
        this.handler = handler;
        this.log = log;
    }

    public void Run()
    {
        Handshake();
        while (true)
        {
            var header = reader.ReadTextList();
            if (header is null)
            {
                return;
            }

            var fields = header.Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
            fields.TryGetValue("command", out var command);
            fields.TryGetValue("pathname", out var pathname);
            pathname ??= "<unknown>";
            var content = new PktLineContentStream(reader);
            switch (command)
            {
                case "clean":
                    Serve(content, pathname, () =>
                    {
                        var result = handler.Clean(content, pathname);
                        return output => output.Write(result);
                    });
                    break;
                case "smudge":
                    ISmudgeResult? prepared = null;
                    try
                    {
                        Serve(content, pathname, () =>
                        {
                            prepared = handler.Smudge(content, pathname);
                            return prepared.WriteTo;
                        }, SmudgeOrigin(fields));
                    }
                    finally
                    {
                        prepared?.Dispose();
                    }

                    break;
                default:
                    content.Drain();
                    writer.WriteText("status=error");
                    writer.WriteFlush();
                    writer.Flush();
                    log($"{pathname}: git asked for an unsupported filter command '{command}'.");
                    break;
            }
        }
    }

    /// <summary>Which commit (or blob) a checkout was writing the file from, as git tells a filter process since 2.27.</summary>
    private static string SmudgeOrigin(Dictionary<string, string> fields) =>
        fields.TryGetValue("treeish", out var treeish) ? $" (checking out commit {treeish})"
        : fields.TryGetValue("blob", out var blob) ? $" (checking out blob {blob})"
        : string.Empty;

    private void Serve(PktLineContentStream content, string pathname, Func<Action<Stream>> prepare, string origin = "")
    {
        Action<Stream> reply;
        try
        {
            reply = prepare();
            content.Drain();
        }
        catch (Exception e)
        {
            content.Drain();
            Report(e, pathname, origin);
            writer.WriteText("status=error");
            writer.WriteFlush();
            writer.Flush();
            return;
        }

        writer.WriteText("status=success");
        writer.WriteFlush();
        var body = new PktLineContentWriteStream(writer);
        try
        {
            reply(body);
            body.Flush();
        }
        catch (Exception e)
        {
            // Content already went out: end it and take the success back, as the protocol allows.
            Report(e, pathname, origin);
            writer.WriteFlush();
            writer.WriteText("status=error");
            writer.WriteFlush();
            writer.Flush();
            return;
        }

        writer.WriteFlush();
        writer.WriteFlush();
        writer.Flush();
    }

    private void Report(Exception e, string pathname, string origin = "")
    {
        var known = e as ThetaException ?? IoFailure.Describe(e, pathname);
        log(known is not null ? $"error {known.Code}: {known.Message}{origin}" : $"error {DiagnosticIds.UnexpectedError}: {pathname}: {e.GetType().Name}: {e.Message}{origin}");
    }

    private void Handshake()
    {
        var hello = reader.ReadTextList() ?? throw Protocol("git closed the connection before the handshake");
        if (!hello.Contains("git-filter-client") || !hello.Contains("version=2"))
        {
            throw Protocol($"unexpected handshake '{string.Join(", ", hello)}'");
        }

        writer.WriteText("git-filter-server");
        writer.WriteText("version=2");
        writer.WriteFlush();
        writer.Flush();
        var capabilities = reader.ReadTextList() ?? throw Protocol("git closed the connection during the handshake");
        foreach (var capability in new[] { "capability=clean", "capability=smudge" })
        {
            if (capabilities.Contains(capability))
            {
                writer.WriteText(capability);
            }
        }

        writer.WriteFlush();
        writer.Flush();
    }

    private static ThetaException Protocol(string what) =>
        new(DiagnosticIds.FilterProtocolError, $"filter protocol error: {what}.");
}
