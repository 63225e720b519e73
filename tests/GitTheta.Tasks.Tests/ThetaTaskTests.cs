using GitTheta.Core.Diagnostics;
using GitTheta.Tasks.Tests.Infrastructure;

namespace GitTheta.Tasks.Tests;

/// <summary>What the base of every task does with what escapes a task: one GT error with its help link, never a crash.</summary>
public sealed class ThetaTaskTests
{
    private readonly FakeBuildEngine engine = new("/work/app/app.csproj");

    [Fact]
    public void A_task_code_thrown_by_the_engine_is_reported_under_that_code()
    {
        var task = new Throwing(new ThetaException(DiagnosticIds.ModelContentUnresolved, "the pointer names no object.")) { BuildEngine = engine };

        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("GT1011", "the pointer names no object."), (error.Code, error.Message));
        Assert.Equal(ThetaTask.HelpLinkBase + "GT1011.md", error.HelpLink);
        Assert.Equal("/work/app/app.csproj", error.File);
    }

    [Fact]
    public void An_engine_code_is_the_task_s_GT1006_with_the_engine_code_in_the_text()
    {
        var task = new Throwing(new ThetaException(DiagnosticIds.CorruptObject, "object abc is damaged.")) { BuildEngine = engine, ProjectFile = "/work/other/other.csproj" };

        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal(("GT1006", "object abc is damaged. (GT2008)"), (error.Code, error.Message));
        Assert.Equal("/work/other/other.csproj", error.File);
    }

    [Fact]
    public void A_file_system_error_is_one_GT1006_line_naming_the_task()
    {
        var task = new Throwing(new UnauthorizedAccessException("Access to the path '/work/app/obj' is denied.")) { BuildEngine = engine };

        Assert.False(task.Execute());
        Assert.Equal(("GT1006", "Throwing: Access to the path '/work/app/obj' is denied."), (Assert.Single(engine.Errors).Code, engine.Errors[0].Message));
    }

    [Fact]
    public void A_task_that_only_warns_succeeds()
    {
        var task = new Throwing(null) { BuildEngine = engine };

        Assert.True(task.Execute());
        Assert.Equal("GT1004", Assert.Single(engine.Warnings).Code);
    }

    private sealed class Throwing : ThetaTask
    {
        private readonly Exception? exception;

        public Throwing(Exception? exception)
        {
            this.exception = exception;
        }

        protected override void Run()
        {
            if (exception is not null)
            {
                throw exception;
            }

            Warning(DiagnosticIds.ModelNotTracked, "a warning only.");
        }
    }
}
